package org.postino.server;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import reactor.core.publisher.Hooks;

/**
 * What Reactor does with an error that arrives after its operation was cancelled. By default it logs it at ERROR
 * with a stack trace, naming no cause a person can act on; at every clean stop James's spooler cancels its queue
 * reader and the reader, interrupted, reports just that. Here an error caused by an interruption (a stop under
 * way) is logged at DEBUG, any other at WARN in one line (stack trace at DEBUG).
 */
final class DroppedErrors {
    private static final Logger LOGGER = LoggerFactory.getLogger(DroppedErrors.class);

    private DroppedErrors() {
    }

    static void install() {
        Hooks.onErrorDropped(DroppedErrors::log);
    }

    static void log(Throwable error) {
        if (causedByInterruption(error)) {
            LOGGER.debug("An operation cancelled by the stop ended with: {}", error.toString(), error);
            return;
        }
        LOGGER.warn("An error came after its operation was cancelled, so nothing handled it: {}", rootLine(error));
        LOGGER.debug("Its stack trace:", error);
    }

    static boolean causedByInterruption(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof InterruptedException || cause instanceof java.nio.channels.ClosedByInterruptException) {
                return true;
            }
            // ActiveMQ wraps the interruption as a JMSException's linked exception
            if (cause instanceof javax.jms.JMSException
                && ((javax.jms.JMSException) cause).getLinkedException() instanceof InterruptedException) {
                return true;
            }
            for (Throwable suppressed : cause.getSuppressed()) {
                if (suppressed instanceof InterruptedException) {
                    return true;
                }
            }
        }
        return false;
    }

    private static String rootLine(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == error ? error.toString() : error + " (cause: " + root + ")";
    }
}
