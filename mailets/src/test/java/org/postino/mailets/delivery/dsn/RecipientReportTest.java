package org.postino.mailets.delivery.dsn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;

import org.apache.james.core.MailAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RecipientReportTest {

    private static final MailAddress BOB = GoldenCase.address("bob@example.com");
    private static final Instant UNTIL = Instant.parse("2026-03-07T09:14:55Z");

    @Test
    void withersShouldReturnANewReportAndLeaveTheOriginal() {
        RecipientReport testee = RecipientReport.failed(BOB, EnhancedStatus.parse("5.1.1"));

        RecipientReport detailed = testee.withRemoteMta("mx.example.com").withDiagnostic(" 550 5.1.1 unknown \r\n");

        assertThat(testee.remoteMta()).isEmpty();
        assertThat(testee.diagnostic()).isEmpty();
        assertThat(detailed.remoteMta()).contains("mx.example.com");
        assertThat(detailed.diagnostic()).contains("550 5.1.1 unknown");
    }

    @Test
    void delayedShouldPromiseRetriesUntilTheGivenTime() {
        RecipientReport testee = RecipientReport.delayed(BOB, EnhancedStatus.CONNECTION, UNTIL);

        assertThat(testee.action()).isEqualTo(Action.DELAYED);
        assertThat(testee.willRetryUntil()).contains(UNTIL);
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"FAILED, 2.0.0", "DELAYED, 5.1.1", "DELAYED, 2.0.0", "DELIVERED, 4.4.1", "RELAYED, 5.0.0",
        "EXPANDED, 4.0.0"})
    void ofShouldThrowWhenTheStatusClassDoesNotFitTheAction(Action action, String status) {
        assertThatThrownBy(() -> RecipientReport.of(BOB, action, EnhancedStatus.parse(status)))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining(status);
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"FAILED, 4.4.7", "FAILED, 5.4.7", "DELAYED, 4.4.7", "DELIVERED, 2.0.0", "RELAYED, 2.6.0",
        "EXPANDED, 2.0.0"})
    void ofShouldAcceptAStatusClassThatFitsTheAction(Action action, String status) {
        assertThat(RecipientReport.of(BOB, action, EnhancedStatus.parse(status)).status())
            .isEqualTo(EnhancedStatus.parse(status));
    }

    @ParameterizedTest
    @ValueSource(strings = {"FAILED", "DELIVERED", "RELAYED"})
    void withWillRetryUntilShouldThrowUnlessDelayed(Action action) {
        RecipientReport testee = RecipientReport.of(BOB, action,
            action == Action.FAILED ? EnhancedStatus.NULL_MX : EnhancedStatus.SUCCESS);

        assertThatThrownBy(() -> testee.withWillRetryUntil(UNTIL)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void withOriginalRecipientShouldKeepTypeAndAddress() {
        RecipientReport testee = RecipientReport.failed(BOB, EnhancedStatus.NULL_MX);

        assertThat(testee.withOriginalRecipient(" rfc822 ; Bob@Example.COM ").originalRecipient())
            .contains("rfc822;Bob@Example.COM");
        assertThat(testee.withOriginalRecipient(GoldenCase.address("b@example.com")).originalRecipient())
            .contains("rfc822;b@example.com");
    }

    @ParameterizedTest
    @ValueSource(strings = {"bob@example.com", ";bob@example.com", "rfc822;", "rfc 822;bob@example.com"})
    void withOriginalRecipientShouldThrowWithoutATypeAndAnAddress(String typed) {
        RecipientReport testee = RecipientReport.failed(BOB, EnhancedStatus.NULL_MX);

        assertThatThrownBy(() -> testee.withOriginalRecipient(typed)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "  ", "mx example.com", "dns;mx.example.com"})
    void withRemoteMtaShouldThrowOnWhatIsNotAHostName(String host) {
        RecipientReport testee = RecipientReport.failed(BOB, EnhancedStatus.NULL_MX);

        assertThatThrownBy(() -> testee.withRemoteMta(host)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void withDiagnosticShouldThrowOnBlank() {
        RecipientReport testee = RecipientReport.failed(BOB, EnhancedStatus.NULL_MX);

        assertThatThrownBy(() -> testee.withDiagnostic(" ")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void reportsWithTheSameFieldsShouldBeEqual() {
        assertThat(RecipientReport.delayed(BOB, EnhancedStatus.DNS_TEMP, UNTIL).withRemoteMta("mx"))
            .isEqualTo(RecipientReport.delayed(BOB, EnhancedStatus.DNS_TEMP, UNTIL).withRemoteMta("mx"))
            .hasSameHashCodeAs(RecipientReport.delayed(BOB, EnhancedStatus.DNS_TEMP, UNTIL).withRemoteMta("mx"))
            .isNotEqualTo(RecipientReport.delayed(BOB, EnhancedStatus.DNS_TEMP, UNTIL));
    }
}
