package org.postino.mailets.delivery.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.postino.mailets.delivery.routing.FakeDnsResolver.address;
import static org.postino.mailets.delivery.routing.Routes.hostsOf;
import static org.postino.mailets.delivery.routing.Routes.targetsOf;

import java.net.InetAddress;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.xbill.DNS.Type;

class MxResolverMxHostsTest {

    private final FakeDnsResolver dns = new FakeDnsResolver();
    private final MxResolver testee = new MxResolver(dns, new Random(42));

    @Test
    void resolveShouldSkipAnMxHostThatDoesNotExistWhenAnotherResolves() {
        dns.mx("example.test", 10, "gone.example.test")
            .mx("example.test", 20, "mx2.example.test").a("mx2.example.test", "192.0.2.2");

        assertThat(hostsOf(testee.resolve("example.test"))).containsExactly("mx2.example.test");
    }

    @Test
    void resolveShouldSkipAnMxHostWhoseLookupsFailTemporarilyWhenAnotherResolves() {
        dns.mx("example.test", 10, "mx1.example.test")
            .serverFailure("mx1.example.test", Type.A).timeout("mx1.example.test", Type.AAAA)
            .mx("example.test", 20, "mx2.example.test").a("mx2.example.test", "192.0.2.2");

        assertThat(hostsOf(testee.resolve("example.test"))).containsExactly("mx2.example.test");
    }

    @Test
    void resolveShouldFailTemporarilyWhenEveryMxHostFailsTemporarily() {
        dns.mx("example.test", 10, "mx1.example.test")
            .serverFailure("mx1.example.test", Type.A).serverFailure("mx1.example.test", Type.AAAA)
            .mx("example.test", 20, "mx2.example.test")
            .timeout("mx2.example.test", Type.A).timeout("mx2.example.test", Type.AAAA);

        Route route = testee.resolve("example.test");

        assertThat(route).isEqualTo(Route.TemporaryFailure.dnsFailure("no MX host of example.test is usable: "
            + "mx1.example.test (AAAA SERVFAIL, A SERVFAIL), mx2.example.test (AAAA timed out, A timed out)"));
    }

    @Test
    void resolveShouldFailTemporarilyWhenOneMxHostFailsTemporarilyAndTheOthersDoNotExist() {
        dns.mx("example.test", 10, "gone.example.test")
            .mx("example.test", 20, "mx2.example.test")
            .serverFailure("mx2.example.test", Type.A).serverFailure("mx2.example.test", Type.AAAA);

        assertThat(testee.resolve("example.test")).isInstanceOf(Route.TemporaryFailure.class);
    }

    @Test
    void resolveShouldFailPermanentlyWith544WhenNoMxHostHasAnAddress() {
        dns.mx("example.test", 10, "gone.example.test")
            .mx("example.test", 20, "noaddress.example.test").txt("noaddress.example.test", "no address here");

        Route route = testee.resolve("example.test");

        assertThat(route).isEqualTo(Route.PermanentFailure.noAddress("no MX host of example.test is usable: "
            + "gone.example.test (AAAA NXDOMAIN, A NXDOMAIN), noaddress.example.test (AAAA NODATA, A NODATA)"));
        assertThat(((Route.Failure) route).status()).isEqualTo("5.4.4");
    }

    @Test
    void resolveShouldKeepTheIpv4AddressesOfAHostWhoseAaaaLookupFailsTemporarily() {
        dns.mx("example.test", 10, "mx.example.test").a("mx.example.test", "192.0.2.1")
            .serverFailure("mx.example.test", Type.AAAA);

        assertThat(targetsOf(testee.resolve("example.test")))
            .containsExactly(Target.of("mx.example.test", 10, List.of(address("192.0.2.1"))));
    }

    @Test
    void resolveShouldFollowACnameForAnMxHost() {
        dns.mx("example.test", 10, "mail.example.test").cname("mail.example.test", "real.example.net")
            .a("real.example.net", "192.0.2.7");

        assertThat(targetsOf(testee.resolve("example.test")))
            .containsExactly(Target.of("mail.example.test", 10, List.of(address("192.0.2.7"))));
    }

    @Test
    void resolveShouldNameEachAddressAfterTheMxHostRatherThanItsCanonicalName() {
        dns.mx("example.test", 10, "Mail.Example.Test.").cname("mail.example.test", "real.example.net")
            .a("real.example.net", "192.0.2.7");

        InetAddress address = targetsOf(testee.resolve("example.test")).get(0).addresses().get(0);

        assertThat(address.getHostName()).isEqualTo("mail.example.test");
    }

    @Test
    void resolveShouldFollowACnameChainThatTheServerLeavesToTheClient() {
        dns.withoutChasingCnames()
            .mx("example.test", 10, "mail.example.test").cname("mail.example.test", "hop.example.net")
            .cname("hop.example.net", "real.example.net").aaaa("real.example.net", "2001:db8::7");

        assertThat(targetsOf(testee.resolve("example.test")))
            .containsExactly(Target.of("mail.example.test", 10, List.of(address("2001:db8::7"))));
        assertThat(dns.questions()).contains("hop.example.net/AAAA", "real.example.net/AAAA");
    }

    @Test
    void resolveShouldFollowACnameForTheDomainItself() {
        dns.cname("alias.test", "canonical.test").mx("canonical.test", 10, "mx.canonical.test")
            .a("mx.canonical.test", "192.0.2.8");

        assertThat(hostsOf(testee.resolve("alias.test"))).containsExactly("mx.canonical.test");
    }

    @Test
    void resolveShouldFailTemporarilyOnACnameLoop() {
        dns.mx("example.test", 10, "loop1.example.test")
            .cname("loop1.example.test", "loop2.example.test").cname("loop2.example.test", "loop1.example.test");

        assertThat(testee.resolve("example.test")).isInstanceOf(Route.TemporaryFailure.class);
    }

    @Test
    void resolveShouldSkipAnMxHostWrittenAsAnIpAddress() {
        dns.mx("example.test", 10, "192.0.2.1")
            .mx("example.test", 20, "mx2.example.test").a("mx2.example.test", "192.0.2.2");

        assertThat(hostsOf(testee.resolve("example.test"))).containsExactly("mx2.example.test");
        assertThat(dns.questions()).doesNotContain("192.0.2.1/A");
    }

    @Test
    void resolveShouldFailPermanentlyWhenTheOnlyMxHostIsAnIpAddress() {
        dns.mx("example.test", 10, "192.0.2.1");

        assertThat(testee.resolve("example.test")).isEqualTo(Route.PermanentFailure.noAddress(
            "no MX host of example.test is usable: 192.0.2.1 (an IP address, not a host name)"));
    }

    @Test
    void resolveShouldListAnAddressSharedByTwoMxHostsOnlyUnderTheMorePreferredOne() {
        dns.mx("example.test", 10, "mx1.example.test").a("mx1.example.test", "192.0.2.1")
            .mx("example.test", 20, "mx2.example.test").a("mx2.example.test", "192.0.2.1")
            .a("mx2.example.test", "192.0.2.2")
            .mx("example.test", 30, "mx3.example.test").a("mx3.example.test", "192.0.2.2");

        assertThat(targetsOf(testee.resolve("example.test"))).containsExactly(
            Target.of("mx1.example.test", 10, List.of(address("192.0.2.1"))),
            Target.of("mx2.example.test", 20, List.of(address("192.0.2.2"))));
    }
}
