package org.postino.matchers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;

import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMatcherConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.postino.mailets.delivery.engine.DeliveryState;

class QueuedLongerThanTest {

    private static final Instant NOW = Instant.parse("2026-11-28T12:00:00Z");

    private static QueuedLongerThan matcher(String condition) throws MessagingException {
        QueuedLongerThan matcher = new QueuedLongerThan(Clock.fixed(NOW, ZoneOffset.UTC));
        matcher.init(FakeMatcherConfig.builder().matcherName("QueuedLongerThan").condition(condition).build());
        return matcher;
    }

    private static FakeMail arrived(Duration ago) throws MessagingException {
        return FakeMail.builder().name("m").recipient(new MailAddress("bob@example.com"))
            .attribute(new Attribute(DeliveryState.ARRIVED, AttributeValue.of(NOW.minus(ago).toEpochMilli())))
            .lastUpdated(Date.from(NOW))
            .build();
    }

    @Test
    void shouldMeasureFromTheEnginesArrivalTime() throws Exception {
        QueuedLongerThan testee = matcher("1d");

        assertThat(testee.match(arrived(Duration.ofHours(24)))).as("exactly a day: not longer").isEmpty();
        assertThat(testee.match(arrived(Duration.ofHours(25)))).hasSize(1);
    }

    @Test
    void shouldFallBackOnWhenJamesLastUpdatedTheMail() throws Exception {
        QueuedLongerThan testee = matcher("30m");
        FakeMail old = FakeMail.builder().name("old").recipient(new MailAddress("bob@example.com"))
            .lastUpdated(Date.from(NOW.minus(Duration.ofHours(1)))).build();
        FakeMail recent = FakeMail.builder().name("recent").recipient(new MailAddress("bob@example.com"))
            .lastUpdated(Date.from(NOW.minus(Duration.ofMinutes(10)))).build();

        assertThat(testee.match(old)).hasSize(1);
        assertThat(testee.match(recent)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "0s", "10", "1 day", "-5m", "1y"})
    void shouldRefuseAConditionThatIsNotADuration(String condition) {
        assertThatThrownBy(() -> matcher(condition))
            .isInstanceOf(MessagingException.class)
            .hasMessageStartingWith("QueuedLongerThan=" + condition + ": expected a whole number and a unit");
    }
}
