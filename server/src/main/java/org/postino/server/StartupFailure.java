package org.postino.server;

import java.util.HashSet;
import java.util.Set;

import org.apache.commons.configuration2.ex.ConfigurationException;
import org.postino.server.config.ConfigurationError;

/** Turns whatever stopped the start-up into the one line an operator reads first. */
final class StartupFailure {

    private final String line;
    private final boolean configuration;

    private StartupFailure(String line, boolean configuration) {
        this.line = line;
        this.configuration = configuration;
    }

    static StartupFailure of(Throwable failure) {
        Set<Throwable> seen = new HashSet<>();
        Throwable root = failure;
        for (Throwable current = failure; current != null && seen.add(current); current = current.getCause()) {
            if (current instanceof ConfigurationError) {
                return new StartupFailure("postino: configuration error: " + current.getMessage(), true);
            }
            if (current instanceof ConfigurationException) {
                return new StartupFailure("postino: configuration error: " + oneLine(current.getMessage()), true);
            }
            root = current;
        }
        return new StartupFailure("postino: cannot start: " + root.getClass().getSimpleName() + ": "
            + oneLine(String.valueOf(root.getMessage())), false);
    }

    private static String oneLine(String text) {
        return text.replaceAll("\\s*\\R\\s*", " ").trim();
    }

    String line() {
        return line;
    }

    boolean isConfiguration() {
        return configuration;
    }
}
