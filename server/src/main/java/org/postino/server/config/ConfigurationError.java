package org.postino.server.config;

/**
 * A configuration problem found before the server starts. Its message is the one line an
 * operator reads: the file, the key and the offending value, and what is expected instead.
 */
public final class ConfigurationError extends RuntimeException {

    private final String file;
    private final String key;
    private final String value;

    public ConfigurationError(String file, String key, String value, String expectation) {
        super(file + ": " + key + " = '" + value + "': " + expectation);
        this.file = file;
        this.key = key;
        this.value = value;
    }

    /** For a file that cannot be read at all (malformed XML, unreadable properties). */
    public static ConfigurationError unreadable(String file, String where, String reason) {
        return new ConfigurationError(file, where, "", reason);
    }

    public String file() {
        return file;
    }

    public String key() {
        return key;
    }

    public String value() {
        return value;
    }
}
