package org.postino.mailets.delivery.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import java.util.Set;

import javax.mail.MessagingException;

import org.apache.mailet.base.test.FakeMailetConfig;
import org.junit.jupiter.api.Test;

class DeliveryPoliciesTest {

    private static final DeliveryPolicy DEFAULT = DeliveryPolicy.defaults();
    private static final DeliveryPolicy EXACT = DeliveryPolicy.builder().tls(TlsMode.REQUIRED).build();
    private static final DeliveryPolicy WITH_SUBDOMAINS = DeliveryPolicy.builder().maxAttempts(3).build();
    private static final DeliveryPolicy DEEPER = DeliveryPolicy.builder().maxRecipientsPerTransaction(5).build();

    private final DeliveryPolicies testee = DeliveryPolicies.of(DEFAULT, Map.of(
        "example.com", EXACT,
        ".example.org", WITH_SUBDOMAINS,
        ".mail.example.org", DEEPER));

    @Test
    void forDomainShouldGiveTheDefaultToOtherDomains() {
        assertThat(testee.forDomain("example.net")).isSameAs(DEFAULT);
    }

    @Test
    void forDomainShouldApplyAnExactOverrideToThatDomainOnly() {
        assertThat(testee.forDomain("example.com")).isSameAs(EXACT);
        assertThat(testee.forDomain("mx.example.com")).isSameAs(DEFAULT);
        assertThat(testee.forDomain("notexample.com")).isSameAs(DEFAULT);
    }

    @Test
    void forDomainShouldApplyADottedOverrideToTheDomainAndItsSubdomains() {
        assertThat(testee.forDomain("example.org")).isSameAs(WITH_SUBDOMAINS);
        assertThat(testee.forDomain("a.b.example.org")).isSameAs(WITH_SUBDOMAINS);
        assertThat(testee.forDomain("badexample.org")).isSameAs(DEFAULT);
    }

    @Test
    void forDomainShouldPreferTheClosestParent() {
        assertThat(testee.forDomain("mail.example.org")).isSameAs(DEEPER);
        assertThat(testee.forDomain("eu.mail.example.org")).isSameAs(DEEPER);
    }

    @Test
    void forDomainShouldPreferAnExactOverrideToADottedOne() {
        DeliveryPolicies both = DeliveryPolicies.of(DEFAULT, Map.of("example.com", EXACT, ".example.com", WITH_SUBDOMAINS));

        assertThat(both.forDomain("example.com")).isSameAs(EXACT);
        assertThat(both.forDomain("www.example.com")).isSameAs(WITH_SUBDOMAINS);
    }

    @Test
    void forDomainShouldIgnoreCaseAndATrailingDot() {
        assertThat(testee.forDomain("Example.COM")).isSameAs(EXACT);
        assertThat(testee.forDomain("example.com.")).isSameAs(EXACT);
    }

    @Test
    void forDomainShouldMatchInternationalDomainsInTheirAsciiForm() {
        DeliveryPolicies idn = DeliveryPolicies.of(DEFAULT, Map.of("xn--bcher-kva.example", EXACT));

        assertThat(idn.forDomain("bücher.example")).isSameAs(EXACT);
    }

    @Test
    void forDomainShouldGiveTheDefaultToWhatIsNotADomainName() {
        assertThat(testee.forDomain("[192.0.2.1]")).isSameAs(DEFAULT);
        assertThat(testee.forDomain("")).isSameAs(DEFAULT);
    }

    @Test
    void ofShouldRejectAnOverrideThatIsNotADomainName() {
        assertThatThrownBy(() -> DeliveryPolicies.of(DEFAULT, Map.of("exa mple.com", EXACT)))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("exa mple.com");
    }

    @Test
    void ofShouldRejectTwoOverridesForTheSameDomain() {
        assertThatThrownBy(() -> DeliveryPolicies.of(DEFAULT, Map.of("example.com", EXACT, "EXAMPLE.com", EXACT)))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("example.com");
    }

    @Test
    void fromShouldReadTheMailetConfig() throws MessagingException {
        FakeMailetConfig config = FakeMailetConfig.builder()
            .mailetName("RemoteDelivery")
            .setProperty("lifetime", "10d")
            .setProperty("domain.example.com.tls", "required")
            .setProperty("outgoingQueue", "outgoing")
            .build();

        DeliveryPolicies policies = DeliveryPolicies.from(config, Set.of("outgoingQueue"));

        assertThat(policies.defaultPolicy().lifetime()).isEqualTo(Duration.ofDays(10));
        assertThat(policies.forDomain("example.com").tls()).isEqualTo(TlsMode.REQUIRED);
    }

    @Test
    void fromShouldNameTheMailetInProblems() {
        FakeMailetConfig config = FakeMailetConfig.builder()
            .mailetName("RemoteDelivery")
            .setProperty("lifetime", "forever")
            .build();

        assertThatThrownBy(() -> DeliveryPolicies.from(config, Set.of()))
            .isInstanceOf(MessagingException.class)
            .hasMessageStartingWith("RemoteDelivery: lifetime = 'forever': ");
    }
}
