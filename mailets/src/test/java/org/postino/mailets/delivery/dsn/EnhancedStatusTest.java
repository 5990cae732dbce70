package org.postino.mailets.delivery.dsn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class EnhancedStatusTest {

    @Test
    void parseShouldReadClassSubjectAndDetail() {
        EnhancedStatus testee = EnhancedStatus.parse(" 5.1.10 ");

        assertThat(testee.statusClass()).isEqualTo(5);
        assertThat(testee.subject()).isEqualTo(1);
        assertThat(testee.detail()).isEqualTo(10);
        assertThat(testee.asString()).isEqualTo("5.1.10");
        assertThat(testee).isEqualTo(EnhancedStatus.NULL_MX);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "5.1", "3.1.1", "5.1.1.1", "5.1000.1", "x.1.1", "5 .1.1", "550"})
    void parseShouldThrowOnAnythingElse(String text) {
        assertThatThrownBy(() -> EnhancedStatus.parse(text))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("'" + text + "'");
    }

    @Test
    void ofShouldThrowOnABadClass() {
        assertThatThrownBy(() -> EnhancedStatus.of(3, 0, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource(delimiter = '|', value = {
        "550 | 5.1.1 <bob@example.com>: user unknown | 5.1.1",
        "550 | 5.7.1 | 5.7.1",
        "451 | 4.7.1 greylisted, try again | 4.7.1",
        "250 | 2.6.0 message accepted | 2.6.0",
        "550 | 550 5.2.1 mailbox disabled | 5.2.1",
        "550 | 550-5.4.1 access denied | 5.4.1",
        "556 | 5.1.10 null MX | 5.1.10",
        "421 |   4.4.2 idle too long | 4.4.2"})
    void fromReplyShouldTakeTheRemotesEnhancedCode(int code, String text, String expected) {
        assertThat(EnhancedStatus.fromReply(code, text)).isEqualTo(EnhancedStatus.parse(expected));
    }

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource(delimiter = '|', value = {
        "550 | 4.1.1 wrong class | 5.0.0",
        "450 | 5.2.2 wrong class | 4.0.0",
        "550 | user 5.1.1 unknown | 5.0.0",
        "550 | 5.1.1.2 too long | 5.0.0",
        "550 | 5.1.1: no space | 5.0.0"})
    void fromReplyShouldIgnoreACodeOfTheWrongClassOrShape(int code, String text, String expected) {
        assertThat(EnhancedStatus.fromReply(code, text)).isEqualTo(EnhancedStatus.parse(expected));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "250, 2.0.0", "251, 2.0.0",
        "421, 4.3.2", "450, 4.0.0", "451, 4.3.0", "452, 4.0.0", "454, 4.7.0", "455, 4.0.0",
        "500, 5.5.2", "501, 5.5.4", "502, 5.5.1", "503, 5.5.1", "504, 5.5.4",
        "521, 5.3.2", "530, 5.7.0", "534, 5.7.9", "535, 5.7.8",
        "550, 5.0.0", "551, 5.1.6", "552, 5.0.0", "553, 5.1.0", "554, 5.0.0", "555, 5.5.4", "556, 5.1.10",
        "599, 5.0.0"})
    void fromReplyShouldMapTheBasicCodeWhenTheReplyHasNoEnhancedCode(int code, String expected) {
        assertThat(EnhancedStatus.fromReply(code, "no enhanced code here")).isEqualTo(EnhancedStatus.parse(expected));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 199, 354, 600})
    void fromReplyShouldThrowOnCodesThatCarryNoDeliveryStatus(int code) {
        assertThatThrownBy(() -> EnhancedStatus.fromReply(code, "text"))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining(String.valueOf(code));
    }

    @Test
    void constantsShouldHoldTheRegisteredCodes() {
        assertThat(EnhancedStatus.NULL_MX).hasToString("5.1.10");
        assertThat(EnhancedStatus.NO_SUCH_DOMAIN).hasToString("5.1.2");
        assertThat(EnhancedStatus.DNS_TEMP).hasToString("4.4.3");
        assertThat(EnhancedStatus.CONNECTION).hasToString("4.4.1");
        assertThat(EnhancedStatus.CONNECTION_LOST).hasToString("4.4.2");
        assertThat(EnhancedStatus.EXPIRED_DELAYED).hasToString("4.4.7");
        assertThat(EnhancedStatus.EXPIRED_FAILED).hasToString("5.4.7");
        assertThat(EnhancedStatus.TLS_REQUIRED).hasToString("4.7.4");
        assertThat(EnhancedStatus.TLS_FAILED).hasToString("4.7.5");
        assertThat(EnhancedStatus.SUCCESS).hasToString("2.0.0");
    }

    @Test
    void classPredicatesShouldFollowTheFirstDigit() {
        assertThat(EnhancedStatus.SUCCESS.isSuccess()).isTrue();
        assertThat(EnhancedStatus.DNS_TEMP.isTransient()).isTrue();
        assertThat(EnhancedStatus.NULL_MX.isPermanent()).isTrue();
        assertThat(EnhancedStatus.NULL_MX.isTransient()).isFalse();
    }
}
