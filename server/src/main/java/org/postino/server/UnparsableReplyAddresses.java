package org.postino.server;

import javax.mail.internet.AddressException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;

/**
 * James's out-of-office mailet (VacationMailet) reads where replies to a message go (Reply-To, else From) and, when
 * that header does not parse, logs a WARN with a stack trace: for spam that is routine (47 in 100,000 SpamAssassin
 * messages), the mail is delivered all the same, and no reply could be addressed anyway. Such a warning becomes one
 * DEBUG line here; every other warning of that mailet (a reply that could not be sent, a store error) is untouched.
 *
 * <p>A filter on the log rather than a subclass of the mailet: James, with JMAP on, refuses to start unless its very
 * class runs in the transport processor.
 */
final class UnparsableReplyAddresses extends TurboFilter {
    static final String VACATION_MAILET = "org.apache.james.transport.mailets.VacationMailet";
    private static final Logger LOGGER = LoggerFactory.getLogger(UnparsableReplyAddresses.class);

    static void install() {
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext) {
            UnparsableReplyAddresses filter = new UnparsableReplyAddresses();
            filter.start();
            ((LoggerContext) LoggerFactory.getILoggerFactory()).addTurboFilter(filter);
        }
    }

    @Override
    public FilterReply decide(Marker marker, ch.qos.logback.classic.Logger logger, Level level, String format,
                              Object[] params, Throwable error) {
        if (level != Level.WARN || !VACATION_MAILET.equals(logger.getName())) {
            return FilterReply.NEUTRAL;
        }
        // SLF4J's warn(format, argument, throwable) reaches a turbo filter with the throwable still among the arguments
        Throwable thrown = error != null ? error
            : params != null && params.length > 0 && params[params.length - 1] instanceof Throwable ? (Throwable) params[params.length - 1]
            : null;
        if (thrown instanceof AddressException) {
            LOGGER.debug("No out-of-office reply for mail to {}: its reply address does not parse ({})",
                params != null && params.length > 1 ? params[0] : "?", thrown.getMessage());
            return FilterReply.DENY;
        }
        return FilterReply.NEUTRAL;
    }
}
