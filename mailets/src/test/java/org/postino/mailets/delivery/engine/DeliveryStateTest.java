package org.postino.mailets.delivery.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;

import org.apache.mailet.Mail;
import org.apache.mailet.base.test.FakeMail;
import org.junit.jupiter.api.Test;

class DeliveryStateTest {

    private static final Instant ARRIVED = Instant.parse("2026-11-28T10:00:00Z");

    @Test
    void aMailWithoutStateShouldArriveNow() throws Exception {
        DeliveryState testee = DeliveryState.of(FakeMail.defaultFakeMail(), ARRIVED);

        assertThat(testee.arrived()).isEqualTo(ARRIVED);
        assertThat(testee.attempts()).isZero();
        assertThat(testee.noticesSent()).isEmpty();
    }

    @Test
    void stateWrittenToAMailShouldBeReadBackWhole() throws Exception {
        Mail mail = FakeMail.defaultFakeMail();
        DeliveryState.arriving(ARRIVED)
            .afterFailedAttempt("a@remote.test 4.3.0")
            .afterFailedAttempt("a@remote.test 4.4.1")
            .withNoticesSent(Set.of(Duration.ofMillis(400), Duration.ofHours(4)))
            .writeTo(mail, Optional.of(ARRIVED.plusSeconds(600)));

        DeliveryState testee = DeliveryState.of(mail, ARRIVED.plusSeconds(3600));

        assertThat(testee.arrived()).isEqualTo(ARRIVED);
        assertThat(testee.attempts()).isEqualTo(2);
        assertThat(testee.noticesSent()).containsExactlyInAnyOrder(Duration.ofMillis(400), Duration.ofHours(4));
        assertThat(testee.lastError()).contains("a@remote.test 4.4.1");
    }
}
