package org.postino.mailets.delivery.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.postino.mailets.delivery.routing.FakeDnsResolver.address;
import static org.postino.mailets.delivery.routing.Routes.targetsOf;

import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MxResolverDomainLiteralTest {

    private final FakeDnsResolver dns = new FakeDnsResolver();
    private final MxResolver testee = new MxResolver(dns, new Random(42));

    @Test
    void resolveShouldGoStraightToAnIpv4LiteralWithoutDns() {
        assertThat(targetsOf(testee.resolve("[192.0.2.1]")))
            .containsExactly(Target.of("[192.0.2.1]", 0, List.of(address("192.0.2.1"))));
        assertThat(dns.questions()).isEmpty();
    }

    @Test
    void resolveShouldGoStraightToAnIpv6LiteralWithoutDns() {
        assertThat(targetsOf(testee.resolve("[IPv6:::1]")))
            .containsExactly(Target.of("[IPv6:::1]", 0, List.of(address("::1"))));
        assertThat(dns.questions()).isEmpty();
    }

    @Test
    void resolveShouldAcceptTheIpv6TagInAnyCase() {
        assertThat(targetsOf(testee.resolve("[ipv6:2001:db8::25]")).get(0).addresses())
            .containsExactly(address("2001:db8::25"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"[300.0.0.1]", "[192.0.2]", "[::1]", "[IPv6:192.0.2.1]", "[example.test]",
        "[tag:content]", "[]", "[192.0.2.1", "192.0.2.1]"})
    void resolveShouldFailPermanentlyWith513OnAMalformedLiteral(String literal) {
        Route route = testee.resolve(literal);

        assertThat(route).isInstanceOf(Route.PermanentFailure.class);
        assertThat(((Route.Failure) route).status()).isEqualTo("5.1.3");
        assertThat(dns.questions()).isEmpty();
    }
}
