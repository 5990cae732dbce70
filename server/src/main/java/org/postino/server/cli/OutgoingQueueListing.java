package org.postino.server.cli;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The outgoing queue as {@code bin/postino queue} prints it, from the JSON of {@code GET /postino/outgoing}:
 * <pre>
 * Outgoing queue: 3 mails to 2 destinations; priority 9: 1, none: 2
 *
 * example.com: 2 mails, oldest 2h 0m; priority 9: 1, none: 1
 *   mail-old
 *     age 2h 0m, 3 attempts, next attempt in 20m (2024-03-01T12:20:00Z)
 *     from alice@postino.test to bob@example.com, carol@example.com
 *     last error: bob@example.com 4.4.1 (connection refused) at mx.example.com
 * </pre>
 * When the queue holds more mails than browsing it hands out, the first line says how many are listed.
 * Mail names run to 60 characters and more, hence one field per line rather than columns.
 */
final class OutgoingQueueListing {

    private OutgoingQueueListing() {
    }

    static List<String> lines(JsonNode queue, Instant now) {
        List<String> lines = new ArrayList<>();
        int size = queue.path("size").asInt();
        long queueSize = queue.path("queueSize").asLong(size);
        JsonNode destinations = queue.path("destinations");
        if (size == 0 && queueSize == 0) {
            lines.add("Outgoing queue: empty");
            return lines;
        }
        String listed = queue.path("complete").asBoolean(true) ? "" : " (" + size + " listed below)";
        lines.add("Outgoing queue: " + count(queueSize, "mail") + listed + " to " + count(destinations.size(), "destination")
            + priorities(queue.path("byPriority")));
        for (JsonNode destination : destinations) {
            lines.add("");
            lines.add(destination.path("domain").asText() + ": " + count(destination.path("count").asInt(), "mail")
                + ", oldest " + age(destination.path("oldestAgeSeconds").asLong()) + priorities(destination.path("byPriority")));
            for (JsonNode mail : destination.path("mails")) {
                mail(lines, mail, now);
            }
        }
        return lines;
    }

    /** "; priority 9: 1, 5: 3, none: 2" from {"9":1,"5":3,"none":2}, or nothing when the answer has no counts. */
    private static String priorities(JsonNode byPriority) {
        if (!byPriority.isObject() || byPriority.size() == 0) {
            return "";
        }
        List<String> counts = new ArrayList<>();
        byPriority.fields().forEachRemaining(entry -> counts.add(entry.getKey() + ": " + entry.getValue().asInt()));
        return "; priority " + String.join(", ", counts);
    }

    private static void mail(List<String> lines, JsonNode mail, Instant now) {
        lines.add("  " + mail.path("name").asText());
        lines.add("    age " + age(mail.path("ageSeconds").asLong()) + ", "
            + count(mail.path("attempts").asInt(), "attempt") + ", next attempt " + nextAttempt(mail.path("nextAttempt"), now)
            + (mail.path("priority").isNumber() ? ", priority " + mail.path("priority").asInt() : ""));
        List<String> recipients = new ArrayList<>();
        mail.path("recipients").forEach(recipient -> recipients.add(recipient.asText()));
        lines.add("    from " + mail.path("sender").asText() + " to " + String.join(", ", recipients));
        if (mail.path("lastError").isTextual()) {
            lines.add("    last error: " + mail.path("lastError").asText());
        }
    }

    private static String nextAttempt(JsonNode value, Instant now) {
        if (!value.isTextual()) {
            return "now";
        }
        try {
            Instant next = Instant.parse(value.asText());
            return next.isAfter(now) ? "in " + age(Duration.between(now, next).getSeconds()) + " (" + next + ")" : "now";
        } catch (DateTimeParseException e) {
            return value.asText();
        }
    }

    /** Two units at most, as people say it: 45s, 12m, 2h 5m, 3d 4h. */
    static String age(long seconds) {
        Duration age = Duration.ofSeconds(Math.max(0, seconds));
        if (age.toMinutes() == 0) {
            return age.getSeconds() + "s";
        }
        if (age.toHours() == 0) {
            return age.toMinutes() + "m";
        }
        if (age.toDays() == 0) {
            return age.toHours() + "h " + age.toMinutesPart() + "m";
        }
        return age.toDays() + "d " + age.toHoursPart() + "h";
    }

    private static String count(long n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }
}
