package org.postino.server.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * A {@code .properties} file read once, where every key is looked up through a typed accessor and
 * a key nobody asked for is an error (a typo in a key must not silently leave a default in place).
 * Every failure names the file, the key and the value.
 */
public final class StrictProperties {

    private final String fileName;
    private final Properties properties;
    private final Set<String> consumed = new HashSet<>();

    public StrictProperties(String fileName, Properties properties) {
        this.fileName = fileName;
        this.properties = properties;
    }

    /** Reads {@code file}; a missing file reads as empty (every key at its default). */
    public static StrictProperties load(Path file) {
        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            properties.load(in);
        } catch (NoSuchFileException e) {
            // absent file: all defaults
        } catch (IOException | IllegalArgumentException e) {
            throw ConfigurationError.unreadable(file.getFileName().toString(), "file", "cannot be read: " + e.getMessage());
        }
        return new StrictProperties(file.getFileName().toString(), properties);
    }

    public String fileName() {
        return fileName;
    }

    public Optional<String> string(String key) {
        consumed.add(key);
        return Optional.ofNullable(properties.getProperty(key))
            .map(String::trim)
            .filter(value -> !value.isEmpty());
    }

    public Optional<Boolean> bool(String key) {
        return string(key).map(value -> {
            switch (value.toLowerCase(Locale.ROOT)) {
                case "true":
                case "yes":
                    return true;
                case "false":
                case "no":
                    return false;
                default:
                    throw error(key, value, "expected true or false");
            }
        });
    }

    public Optional<Integer> intInRange(String key, int min, int max) {
        return string(key).map(value -> {
            int parsed;
            try {
                parsed = Integer.parseInt(value);
            } catch (NumberFormatException e) {
                throw error(key, value, "expected a whole number between " + min + " and " + max);
            }
            if (parsed < min || parsed > max) {
                throw error(key, value, "out of range, expected " + min + ".." + max);
            }
            return parsed;
        });
    }

    public <E extends Enum<E>> Optional<E> oneOf(String key, Class<E> type) {
        return string(key).map(value -> {
            for (E candidate : type.getEnumConstants()) {
                if (candidate.name().equalsIgnoreCase(value)) {
                    return candidate;
                }
            }
            StringBuilder allowed = new StringBuilder();
            for (E candidate : type.getEnumConstants()) {
                allowed.append(allowed.length() == 0 ? "" : ", ").append(candidate.name().toLowerCase(Locale.ROOT));
            }
            throw error(key, value, "unknown value, expected one of " + allowed);
        });
    }

    public Map<String, String> withPrefix(String prefix) {
        Map<String, String> result = new TreeMap<>();
        for (String key : properties.stringPropertyNames()) {
            if (key.startsWith(prefix)) {
                consumed.add(key);
                result.put(key, properties.getProperty(key).trim());
            }
        }
        return result;
    }

    /** Fails on the first key (in sorted order) that no accessor asked for and {@code alsoAllowed} does not accept. */
    public void rejectUnknownKeys(Predicate<String> alsoAllowed) {
        new TreeMap<>(Map.copyOf(properties)).keySet().stream()
            .map(String::valueOf)
            .filter(key -> !consumed.contains(key) && !alsoAllowed.test(key))
            .findFirst()
            .ifPresent(key -> {
                throw error(key, properties.getProperty(key), "unknown key");
            });
    }

    public void rejectUnknownKeys() {
        rejectUnknownKeys(key -> false);
    }

    public ConfigurationError error(String key, String value, String expectation) {
        return new ConfigurationError(fileName, key, value, expectation);
    }
}
