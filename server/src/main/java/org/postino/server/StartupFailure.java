package org.postino.server;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import javax.mail.MessagingException;

import org.apache.commons.configuration2.ex.ConfigurationException;
import org.postino.server.config.ConfigurationError;

/**
 * Turns whatever stopped the start-up into the one line an operator reads first. James wraps a
 * mailet's own precise complaint ("deliveryThreads = '0': ...") in generic ones ("Unable to init
 * mailet ..."): the deepest configuration complaint in the chain is the one worth reading.
 */
final class StartupFailure {

    private final String line;
    private final boolean configuration;

    private StartupFailure(String line, boolean configuration) {
        this.line = line;
        this.configuration = configuration;
    }

    static StartupFailure of(Throwable failure) {
        List<Throwable> chain = chain(failure);
        for (Throwable current : chain) {
            if (current instanceof ConfigurationError) {
                return new StartupFailure("postino: configuration error: " + current.getMessage(), true);
            }
        }
        Throwable deepest = null;
        for (Throwable current : chain) {
            if (current instanceof ConfigurationException || current instanceof MessagingException) {
                deepest = current;
            }
        }
        if (deepest != null) {
            return new StartupFailure("postino: configuration error: " + fileOf(chain) + oneLine(deepest.getMessage()), true);
        }
        Throwable root = chain.get(chain.size() - 1);
        return new StartupFailure("postino: cannot start: " + root.getClass().getSimpleName() + ": "
            + oneLine(String.valueOf(root.getMessage())), false);
    }

    /** Mailets and matchers are configured in mailetcontainer.xml; say so when that is where it broke. */
    private static String fileOf(List<Throwable> chain) {
        for (Throwable current : chain) {
            String message = String.valueOf(current.getMessage());
            if (message.contains("init mailet") || message.contains("init matcher")) {
                return "mailetcontainer.xml: ";
            }
        }
        return "";
    }

    private static List<Throwable> chain(Throwable failure) {
        List<Throwable> chain = new ArrayList<>();
        Set<Throwable> seen = new HashSet<>();
        for (Throwable current = failure; current != null && seen.add(current); current = current.getCause()) {
            chain.add(current);
        }
        return chain;
    }

    private static String oneLine(String text) {
        return text.replaceAll("\\s*\\R\\s*", "; ").trim();
    }

    String line() {
        return line;
    }

    boolean isConfiguration() {
        return configuration;
    }
}
