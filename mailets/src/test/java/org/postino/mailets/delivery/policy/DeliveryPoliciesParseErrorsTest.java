package org.postino.mailets.delivery.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import java.util.Map;
import java.util.Set;

import javax.mail.MessagingException;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class DeliveryPoliciesParseErrorsTest {

    private static List<String> problemsOf(Map<String, String> parameters) {
        MessagingException thrown = catchThrowableOfType(
            () -> DeliveryPolicies.parse("RemoteDelivery", parameters, Set.of("outgoingQueue")), MessagingException.class);
        assertThat(thrown).as("parse of %s should fail", parameters).isNotNull();
        return List.of(thrown.getMessage().split("\n"));
    }

    @ParameterizedTest(name = "{0} = ''{1}''")
    @CsvSource(delimiter = '|', value = {
        "retrySchedule | ''",
        "retrySchedule | ...",
        "retrySchedule | 5m, soon, 1h",
        "retrySchedule | 5m, 0s",
        "retrySchedule | 300",
        "retryJitter | 0.6",
        "retryJitter | -0.1",
        "retryJitter | 10%",
        "retryJitter | NaN",
        "lifetime | 0d",
        "lifetime | forever",
        "lifetime | 5 days",
        "maxAttempts | 0",
        "maxAttempts | -1",
        "maxAttempts | 3.5",
        "maxAttempts | 99999999999",
        "delayNotices | 0h",
        "delayNotices | 4h, 4h",
        "delayNotices | 4h,",
        "delayNotices | ''",
        "connectTimeout | 0s",
        "connectTimeout | 2h",
        "commandTimeout | -5m",
        "commandTimeout | 5",
        "dataTimeout | 0ms",
        "dataTimeout | 10 min",
        "tls | may",
        "tls | ''",
        "maxRecipientsPerTransaction | 0",
        "maxRecipientsPerTransaction | 1001",
        "maxRecipientsPerTransaction | lots"})
    void parseShouldRejectABadValueNamingTheKeyAndTheValue(String key, String value) {
        String expected = PolicyParameter.ofKey(key).orElseThrow().expected();

        assertThat(problemsOf(Map.of(key, value))).containsExactly("RemoteDelivery: " + key + " = '" + value + "': " + expected);
    }

    @Test
    void parseShouldSayWhatIsExpectedInPlainWords() {
        assertThat(problemsOf(Map.of("retryJitter", "0.6")))
            .containsExactly("RemoteDelivery: retryJitter = '0.6': a fraction from 0 to 0.5, e.g. 0.1 for ±10%");
        assertThat(problemsOf(Map.of("connectTimeout", "2h")))
            .containsExactly("RemoteDelivery: connectTimeout = '2h': a duration greater than zero and at most 1h, e.g. 30s");
    }

    @Test
    void parseShouldRejectALifetimeShorterThanTheFirstRetryStep() {
        assertThat(problemsOf(Map.of("lifetime", "2m", "delayNotices", "1m"))).containsExactly(
            "RemoteDelivery: lifetime = '2m': a duration no shorter than the first retry step (5m),"
                + " or the message is given up before its first retry");
    }

    @Test
    void parseShouldRejectAFirstRetryStepLongerThanTheConfiguredLifetime() {
        assertThat(problemsOf(Map.of("retrySchedule", "6d, 1d"))).containsExactly(
            "RemoteDelivery: retrySchedule = '6d, 1d': a first step no longer than the lifetime (5d)");
    }

    @Test
    void parseShouldRejectADelayNoticeAtOrAfterTheLifetime() {
        assertThat(problemsOf(Map.of("delayNotices", "4h, 5d"))).containsExactly(
            "RemoteDelivery: delayNotices = '4h, 5d': thresholds shorter than the lifetime (5d),"
                + " as a notice due at or after it is never sent; or none");
    }

    @Test
    void parseShouldBlameALifetimeThatCutsUnderTheDefaultDelayNotice() {
        assertThat(problemsOf(Map.of("lifetime", "3h"))).containsExactly(
            "RemoteDelivery: lifetime = '3h': a duration longer than the last delay notice threshold (4h);"
                + " or lower delayNotices, or set it to none");
    }

    @Test
    void parseShouldBlameTheOverrideThatContradictsTheInheritedDefault() {
        assertThat(problemsOf(Map.of("delayNotices", "4h, 2d", "domain.example.com.lifetime", "1d"))).containsExactly(
            "RemoteDelivery: domain.example.com.lifetime = '1d': a duration longer than the last delay notice threshold"
                + " (2d); or lower delayNotices, or set it to none");
    }

    @Test
    void parseShouldReportAContradictionInTheDefaultOnlyOnce() {
        assertThat(problemsOf(Map.of("lifetime", "3h", "domain.example.com.tls", "required", "domain.example.org.tls", "required")))
            .hasSize(1)
            .allSatisfy(problem -> assertThat(problem).startsWith("RemoteDelivery: lifetime = '3h': "));
    }

    @Test
    void parseShouldNotBlameAContradictionOnAValueThatCouldNotBeRead() {
        assertThat(problemsOf(Map.of("lifetime", "1x", "delayNotices", "6d")))
            .containsExactly("RemoteDelivery: lifetime = '1x': " + PolicyParameter.LIFETIME.expected());
    }

    @Test
    void parseShouldRejectAnUnknownKey() {
        assertThat(problemsOf(Map.of("retrySchedules", "5m"))).containsExactly(
            "RemoteDelivery: retrySchedules = '5m': no such parameter; expected one of retrySchedule, retryJitter,"
                + " lifetime, maxAttempts, delayNotices, connectTimeout, commandTimeout, dataTimeout, tls,"
                + " maxRecipientsPerTransaction, domain.<domain>.<one of those>, or debug, onMailetException,"
                + " onMatchException, outgoingQueue");
    }

    @Test
    void parseShouldRejectAnOverrideOfAnUnknownParameter() {
        assertThat(problemsOf(Map.of("domain.example.com.tlsMode", "required"))).singleElement().asString()
            .startsWith("RemoteDelivery: domain.example.com.tlsMode = 'required': no such parameter;");
    }

    @Test
    void parseShouldRejectAnOverrideOfTheCallersOwnParameter() {
        assertThat(problemsOf(Map.of("domain.example.com.outgoingQueue", "other"))).singleElement().asString()
            .startsWith("RemoteDelivery: domain.example.com.outgoingQueue = 'other': no such parameter;");
    }

    @Test
    void parseShouldRejectAnOverrideWithoutADomain() {
        assertThat(problemsOf(Map.of("domain.tls", "required"))).singleElement().asString()
            .startsWith("RemoteDelivery: domain.tls = 'required': no such parameter;");
        assertThat(problemsOf(Map.of("domain..tls", "required"))).containsExactly(
            "RemoteDelivery: domain..tls = 'required': a domain name between 'domain.' and '.tls',"
                + " e.g. domain.example.com.tls, or domain..example.com.tls for example.com and its subdomains");
    }

    @Test
    void parseShouldRejectAnOverrideForSomethingThatIsNotADomainName() {
        assertThat(problemsOf(Map.of("domain.exa mple..com.tls", "required"))).singleElement().asString()
            .startsWith("RemoteDelivery: domain.exa mple..com.tls = 'required': a domain name between");
    }

    @Test
    void parseShouldRejectTwoKeysForTheSameDomainAndParameter() {
        assertThat(problemsOf(Map.of("domain.Example.com.tls", "required", "domain.example.com.tls", "opportunistic")))
            .containsExactly("RemoteDelivery: domain.example.com.tls = 'opportunistic': one value per domain and"
                + " parameter, but domain.Example.com.tls sets it too");
    }

    @Test
    void parseShouldReportEveryProblemAtOnceOnePerLineInKeyOrder() {
        assertThat(problemsOf(Map.of(
            "tls", "sometimes",
            "lifetime", "forever",
            "retryJitter", "2",
            "bogus", "1",
            "domain.example.com.maxAttempts", "0")))
            .extracting(problem -> problem.substring(0, problem.indexOf(" = ")))
            .containsExactly(
                "RemoteDelivery: bogus",
                "RemoteDelivery: domain.example.com.maxAttempts",
                "RemoteDelivery: lifetime",
                "RemoteDelivery: retryJitter",
                "RemoteDelivery: tls");
    }

    @Test
    void parseShouldKeepEachProblemOnOneLineWhenTheValueSpansSeveral() {
        assertThat(problemsOf(Map.of("retrySchedule", "5m,\n  often\n"))).containsExactly(
            "RemoteDelivery: retrySchedule = '5m, often ': " + PolicyParameter.RETRY_SCHEDULE.expected());
    }

    @Test
    void parseShouldThrowAMessagingException() {
        assertThatThrownBy(() -> DeliveryPolicies.parse("RemoteDelivery", Map.of("tls", "no")))
            .isInstanceOf(MessagingException.class)
            .hasMessage("RemoteDelivery: tls = 'no': opportunistic or required");
    }
}
