package org.postino.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import javax.mail.MessagingException;
import javax.mail.internet.AddressException;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

class UnparsableReplyAddressesTest {
    private final LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    private final Logger vacation = context.getLogger(UnparsableReplyAddresses.VACATION_MAILET);
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private final UnparsableReplyAddresses filter = new UnparsableReplyAddresses();

    @BeforeEach
    void listen() {
        logged.start();
        vacation.addAppender(logged);
        filter.start();
        context.addTurboFilter(filter);
    }

    @AfterEach
    void stopListening() {
        context.getTurboFilterList().remove(filter);
        vacation.detachAppender(logged);
    }

    @Test
    void anUnparsableReplyAddressIsNotWarnedAboutButOtherVacationFailuresAre() {
        // the very calls James's VacationMailet makes
        vacation.warn("Can not process vacation for one or more recipients in {}", List.of("bob@postino.test"),
            new AddressException("Missing final '@domain'", "<spam>", 5));
        vacation.warn("Can not process vacation for one or more recipients in {}", List.of("bob@postino.test"),
            new IllegalStateException("vacation store down"));
        vacation.warn("Failed to send JMAP vacation notification from {} to {}", "bob@postino.test", "x@example.test",
            new MessagingException("queue full"));

        assertThat(logged.list).extracting(event -> event.getThrowableProxy().getMessage())
            .containsExactly("vacation store down", "queue full");
    }

    @Test
    void otherLoggersAreUntouched() {
        Logger other = context.getLogger("org.postino.test.Other");
        other.addAppender(logged);
        try {
            other.warn("address trouble {}", "x", new AddressException("bad"));
        } finally {
            other.detachAppender(logged);
        }
        assertThat(logged.list).hasSize(1);
    }
}
