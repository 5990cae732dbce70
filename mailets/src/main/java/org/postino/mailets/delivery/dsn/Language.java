package org.postino.mailets.delivery.dsn;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** The language of a notice's human-readable part and subject; each has a template in this package's resources. */
public enum Language {
    ENGLISH("en", Locale.ENGLISH),
    ITALIAN("it", Locale.ITALIAN);

    private final String tag;
    private final Locale locale;

    Language(String tag, Locale locale) {
        this.tag = tag;
        this.locale = locale;
    }

    /** Reads a configuration value: the tag ({@code en}, {@code it}) or the name ({@code english}), any case. */
    public static Optional<Language> parse(String text) {
        String trimmed = text.trim();
        return Arrays.stream(values())
            .filter(language -> language.tag.equalsIgnoreCase(trimmed) || language.name().equalsIgnoreCase(trimmed))
            .findFirst();
    }

    /** The BCP 47 tag, written in the human part's {@code Content-Language} field. */
    public String tag() {
        return tag;
    }

    public Locale locale() {
        return locale;
    }
}
