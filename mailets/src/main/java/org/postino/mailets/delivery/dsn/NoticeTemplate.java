package org.postino.mailets.delivery.dsn;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Collectors;

/**
 * The texts of one language, read from {@code notice-<tag>.properties} next to this class (UTF-8). Every key of
 * {@link #REQUIRED} must be there, checked when the template is loaded; {@code {name}} placeholders are replaced
 * by {@link #text(String, Map)}. Not {@link java.text.MessageFormat}: its quoting rules would eat the apostrophes
 * of Italian.
 */
final class NoticeTemplate {

    static final List<String> REQUIRED = List.of(
        "from.name", "date.pattern",
        "subject.failed", "subject.delayed", "subject.success",
        "greeting", "intro.failed", "intro.delayed", "intro.success",
        "section.failed", "section.delayed", "section.delivered", "section.relayed", "section.expanded",
        "recipient.original", "recipient.status", "recipient.status.described", "recipient.remote-said",
        "recipient.reply", "recipient.remote", "recipient.last-attempt", "recipient.retry-until",
        "returned.full", "returned.headers");

    private final Language language;
    private final Map<String, String> texts;
    private final DateTimeFormatter dates;

    private NoticeTemplate(Language language, Map<String, String> texts, DateTimeFormatter dates) {
        this.language = language;
        this.texts = texts;
        this.dates = dates;
    }

    /** @throws IllegalStateException if the resource is missing, unreadable or lacks a required key */
    static NoticeTemplate of(Language language) {
        String resource = "notice-" + language.tag() + ".properties";
        try (InputStream in = NoticeTemplate.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("notice template " + resource + " is missing");
            }
            return from(language, resource, new InputStreamReader(in, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException("notice template " + resource + " cannot be read", e);
        }
    }

    static NoticeTemplate from(Language language, String name, Reader reader) throws IOException {
        Properties properties = new Properties();
        properties.load(reader);
        List<String> missing = REQUIRED.stream()
            .filter(key -> properties.getProperty(key, "").isBlank())
            .collect(Collectors.toList());
        if (!missing.isEmpty()) {
            throw new IllegalStateException("notice template " + name + " lacks " + String.join(", ", missing));
        }
        DateTimeFormatter dates;
        try {
            dates = DateTimeFormatter.ofPattern(properties.getProperty("date.pattern"), language.locale());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("notice template " + name + ": bad date.pattern '"
                + properties.getProperty("date.pattern") + "'", e);
        }
        Map<String, String> texts = properties.stringPropertyNames().stream()
            .collect(Collectors.toUnmodifiableMap(key -> key, key -> properties.getProperty(key).strip()));
        return new NoticeTemplate(language, texts, dates);
    }

    Language language() {
        return language;
    }

    String text(String key) {
        return text(key, Map.of());
    }

    String text(String key, Map<String, String> values) {
        String text = Optional.ofNullable(texts.get(key))
            .orElseThrow(() -> new IllegalArgumentException("no text '" + key + "' in the notice template"));
        for (Map.Entry<String, String> value : values.entrySet()) {
            text = text.replace("{" + value.getKey() + "}", value.getValue());
        }
        return text;
    }

    /**
     * What the status means, in words: the description of its subject and detail, or of its subject alone for a
     * failure; none for {@code X.0.0} or an unknown code.
     */
    Optional<String> describe(EnhancedStatus status) {
        Optional<String> detail = Optional.ofNullable(texts.get("status." + status.subject() + "." + status.detail()));
        if (detail.isPresent() || status.isSuccess() || status.subject() == 0) {
            return detail;
        }
        // Subject descriptions name a problem: right for a failure, wrong for a success.
        return Optional.ofNullable(texts.get("status." + status.subject()));
    }

    String date(Instant instant, ZoneId zone) {
        return dates.format(instant.atZone(zone));
    }
}
