package org.postino.mailets.delivery.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import javax.mail.MessagingException;

import org.junit.jupiter.api.Test;

class DeliveryPoliciesParseTest {

    private static DeliveryPolicies parse(Map<String, String> parameters) throws MessagingException {
        return DeliveryPolicies.parse("RemoteDelivery", parameters);
    }

    private static DeliveryPolicy parseDefault(String key, String value) throws MessagingException {
        return parse(Map.of(key, value)).defaultPolicy();
    }

    @Test
    void parseShouldGiveTheDefaultsWithoutParameters() throws MessagingException {
        DeliveryPolicies testee = parse(Map.of());

        assertThat(testee.defaultPolicy()).isEqualTo(DeliveryPolicy.defaults());
        assertThat(testee.overrides()).isEmpty();
    }

    @Test
    void parseShouldReadRetryScheduleWithTheRepeatMark() throws MessagingException {
        assertThat(parseDefault("retrySchedule", "5m, 10m, 20m, 40m, 1h, 2h, 4h...").retrySchedule())
            .containsExactly(Duration.ofMinutes(5), Duration.ofMinutes(10), Duration.ofMinutes(20),
                Duration.ofMinutes(40), Duration.ofHours(1), Duration.ofHours(2), Duration.ofHours(4));
    }

    @Test
    void parseShouldReadRetryScheduleWithoutTheRepeatMark() throws MessagingException {
        assertThat(parseDefault("retrySchedule", "1m,2m").retrySchedule())
            .containsExactly(Duration.ofMinutes(1), Duration.ofMinutes(2));
    }

    @Test
    void parseShouldReadRetryJitter() throws MessagingException {
        assertThat(parseDefault("retryJitter", "0.25").retryJitter()).isEqualTo(0.25);
        assertThat(parseDefault("retryJitter", "0").retryJitter()).isEqualTo(0.0);
        assertThat(parseDefault("retryJitter", "0.5").retryJitter()).isEqualTo(0.5);
    }

    @Test
    void parseShouldReadLifetime() throws MessagingException {
        assertThat(parseDefault("lifetime", "2w").lifetime()).isEqualTo(Duration.ofDays(14));
    }

    @Test
    void parseShouldReadMaxAttempts() throws MessagingException {
        assertThat(parseDefault("maxAttempts", "20").maxAttempts()).isEqualTo(Optional.of(20));
        assertThat(parseDefault("maxAttempts", "1").maxAttempts()).isEqualTo(Optional.of(1));
        assertThat(parseDefault("maxAttempts", "None").maxAttempts()).isEmpty();
    }

    @Test
    void parseShouldReadDelayNoticesInAnyOrder() throws MessagingException {
        assertThat(parseDefault("delayNotices", "3d, 4h, 1d").delayNotices())
            .containsExactly(Duration.ofHours(4), Duration.ofDays(1), Duration.ofDays(3));
    }

    @Test
    void parseShouldReadNoneAsNoDelayNotices() throws MessagingException {
        assertThat(parseDefault("delayNotices", "none").delayNotices()).isEmpty();
    }

    @Test
    void parseShouldReadTimeouts() throws MessagingException {
        DeliveryPolicy policy = parse(Map.of("connectTimeout", "10s", "commandTimeout", "2m", "dataTimeout", "1h"))
            .defaultPolicy();

        assertThat(policy.connectTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(policy.commandTimeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(policy.dataTimeout()).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void parseShouldReadTls() throws MessagingException {
        assertThat(parseDefault("tls", "Required").tls()).isEqualTo(TlsMode.REQUIRED);
        assertThat(parseDefault("tls", "opportunistic").tls()).isEqualTo(TlsMode.OPPORTUNISTIC);
    }

    @Test
    void parseShouldReadMaxRecipientsPerTransaction() throws MessagingException {
        assertThat(parseDefault("maxRecipientsPerTransaction", "1").maxRecipientsPerTransaction()).isEqualTo(1);
        assertThat(parseDefault("maxRecipientsPerTransaction", "1000").maxRecipientsPerTransaction()).isEqualTo(1000);
    }

    @Test
    void parseShouldAcceptAValueWrittenOverSeveralLines() throws MessagingException {
        assertThat(parseDefault("delayNotices", "\n    4h,\n    1d\n").delayNotices())
            .containsExactly(Duration.ofHours(4), Duration.ofDays(1));
    }

    @Test
    void parseShouldReadAnOverrideForOneDomain() throws MessagingException {
        DeliveryPolicies testee = parse(Map.of("domain.example.com.tls", "required"));

        assertThat(testee.forDomain("example.com").tls()).isEqualTo(TlsMode.REQUIRED);
        assertThat(testee.forDomain("mx.example.com").tls()).isEqualTo(TlsMode.OPPORTUNISTIC);
    }

    @Test
    void parseShouldReadAnOverrideForADomainAndItsSubdomains() throws MessagingException {
        DeliveryPolicies testee = parse(Map.of("domain..slow.example.lifetime", "10d"));

        assertThat(testee.forDomain("slow.example").lifetime()).isEqualTo(Duration.ofDays(10));
        assertThat(testee.forDomain("mx.slow.example").lifetime()).isEqualTo(Duration.ofDays(10));
        assertThat(testee.forDomain("example").lifetime()).isEqualTo(Duration.ofDays(5));
    }

    @Test
    void parseShouldLetAnOverrideInheritEveryUnsetValueFromTheConfiguredDefault() throws MessagingException {
        DeliveryPolicies testee = parse(Map.of(
            "retrySchedule", "1m, 2m",
            "maxAttempts", "9",
            "tls", "required",
            "domain.example.com.lifetime", "1d",
            "domain.example.com.tls", "opportunistic"));

        assertThat(testee.forDomain("example.com")).isEqualTo(testee.defaultPolicy().toBuilder()
            .lifetime(Duration.ofDays(1))
            .tls(TlsMode.OPPORTUNISTIC)
            .build());
    }

    @Test
    void parseShouldLetAnOverrideSetEveryParameter() throws MessagingException {
        DeliveryPolicy policy = parse(Map.of(
            "domain.example.com.retrySchedule", "1m...",
            "domain.example.com.retryJitter", "0",
            "domain.example.com.lifetime", "1d",
            "domain.example.com.maxAttempts", "3",
            "domain.example.com.delayNotices", "1h, 2h",
            "domain.example.com.connectTimeout", "5s",
            "domain.example.com.commandTimeout", "1m",
            "domain.example.com.dataTimeout", "2m",
            "domain.example.com.tls", "required",
            "domain.example.com.maxRecipientsPerTransaction", "10")).forDomain("example.com");

        assertThat(policy).isEqualTo(DeliveryPolicy.builder()
            .retrySchedule(List.of(Duration.ofMinutes(1)))
            .retryJitter(0)
            .lifetime(Duration.ofDays(1))
            .maxAttempts(3)
            .delayNotices(List.of(Duration.ofHours(1), Duration.ofHours(2)))
            .connectTimeout(Duration.ofSeconds(5))
            .commandTimeout(Duration.ofMinutes(1))
            .dataTimeout(Duration.ofMinutes(2))
            .tls(TlsMode.REQUIRED)
            .maxRecipientsPerTransaction(10)
            .build());
    }

    @Test
    void parseShouldLetAnOverrideLiftTheDefaultMaxAttempts() throws MessagingException {
        DeliveryPolicies testee = parse(Map.of("maxAttempts", "5", "domain.example.com.maxAttempts", "none"));

        assertThat(testee.forDomain("example.com").maxAttempts()).isEmpty();
        assertThat(testee.forDomain("example.net").maxAttempts()).contains(5);
    }

    @Test
    void parseShouldReadTheDomainOfAnOverrideInAnyCase() throws MessagingException {
        DeliveryPolicies testee = parse(Map.of("domain.Example.COM.tls", "required"));

        assertThat(testee.overrides()).containsOnlyKeys("example.com");
        assertThat(testee.forDomain("EXAMPLE.com").tls()).isEqualTo(TlsMode.REQUIRED);
    }

    @Test
    void parseShouldReadADomainThatLooksLikeAParameterName() throws MessagingException {
        DeliveryPolicies testee = parse(Map.of("domain.tls.example.tls", "required"));

        assertThat(testee.forDomain("tls.example").tls()).isEqualTo(TlsMode.REQUIRED);
    }

    @Test
    void parseShouldAcceptJamesOwnParameters() throws MessagingException {
        DeliveryPolicies testee = parse(Map.of("onMailetException", "ignore", "onMatchException", "error", "debug", "true"));

        assertThat(testee.defaultPolicy()).isEqualTo(DeliveryPolicy.defaults());
    }

    @Test
    void parseShouldAcceptAndIgnoreTheCallersOwnParameters() throws MessagingException {
        DeliveryPolicies testee = DeliveryPolicies.parse("RemoteDelivery",
            Map.of("outgoingQueue", "outgoing", "bounceProcessor", "bounces", "dnsServers", "127.0.0.1", "lifetime", "1d"),
            Set.of("outgoingQueue", "bounceProcessor", "dnsServers"));

        assertThat(testee.defaultPolicy().lifetime()).isEqualTo(Duration.ofDays(1));
    }
}
