package org.postino.mailets.delivery.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.postino.mailets.delivery.routing.FakeDnsResolver.address;
import static org.postino.mailets.delivery.routing.Routes.hostsOf;
import static org.postino.mailets.delivery.routing.Routes.targetsOf;

import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.xbill.DNS.Type;

class MxResolverTest {

    private final FakeDnsResolver dns = new FakeDnsResolver();
    private final MxResolver testee = new MxResolver(dns, new Random(42));

    @Test
    void resolveShouldListMxHostsByAscendingPreference() {
        dns.mx("example.test", 30, "mx3.example.test").a("mx3.example.test", "192.0.2.3")
            .mx("example.test", 10, "mx1.example.test").a("mx1.example.test", "192.0.2.1")
            .mx("example.test", 20, "mx2.example.test").a("mx2.example.test", "192.0.2.2");

        List<Target> targets = targetsOf(testee.resolve("example.test"));

        assertThat(targets).containsExactly(
            Target.of("mx1.example.test", 10, List.of(address("192.0.2.1"))),
            Target.of("mx2.example.test", 20, List.of(address("192.0.2.2"))),
            Target.of("mx3.example.test", 30, List.of(address("192.0.2.3"))));
    }

    @Test
    void resolveShouldPutEachOfTheEqualPreferenceHostsFirstForSomeSeed() {
        equalPreferenceDomain();
        Set<String> firstHosts = new HashSet<>();

        for (int seed = 0; seed < 50; seed++) {
            List<String> hosts = hostsOf(new MxResolver(dns, new Random(seed)).resolve("example.test"));
            assertThat(hosts.get(3)).isEqualTo("backup.example.test");
            firstHosts.add(hosts.get(0));
        }

        assertThat(firstHosts).containsExactlyInAnyOrder("a.example.test", "b.example.test", "c.example.test");
    }

    @Test
    void resolveShouldOrderEqualPreferenceHostsTheSameWayForTheSameSeed() {
        equalPreferenceDomain();

        List<String> first = hostsOf(new MxResolver(dns, new Random(7)).resolve("example.test"));
        List<String> second = hostsOf(new MxResolver(dns, new Random(7)).resolve("example.test"));

        assertThat(first).isEqualTo(second);
    }

    @Test
    void resolveShouldKeepTheLowestPreferenceOfAHostListedTwice() {
        dns.mx("example.test", 20, "mx.example.test").mx("example.test", 5, "mx.example.test")
            .a("mx.example.test", "192.0.2.1");

        assertThat(targetsOf(testee.resolve("example.test")))
            .containsExactly(Target.of("mx.example.test", 5, List.of(address("192.0.2.1"))));
    }

    @Test
    void resolveShouldFallBackToTheDomainsOwnAddressesWhenItHasNoMx() {
        dns.a("plain.test", "192.0.2.9").aaaa("plain.test", "2001:db8::9");

        assertThat(targetsOf(testee.resolve("plain.test"))).containsExactly(
            Target.of("plain.test", 0, List.of(address("2001:db8::9"), address("192.0.2.9"))));
    }

    @Test
    void resolveShouldReachADomainThatHasOnlyAnAaaaRecord() {
        dns.aaaa("v6only.test", "::1");

        assertThat(targetsOf(testee.resolve("v6only.test")))
            .containsExactly(Target.of("v6only.test", 0, List.of(address("::1"))));
    }

    @Test
    void resolveShouldInterleaveIpv6AndIpv4AddressesStartingWithIpv6() {
        dns.mx("example.test", 10, "mx.example.test")
            .a("mx.example.test", "192.0.2.1").a("mx.example.test", "192.0.2.2").a("mx.example.test", "192.0.2.3")
            .aaaa("mx.example.test", "2001:db8::1").aaaa("mx.example.test", "2001:db8::2");

        assertThat(targetsOf(testee.resolve("example.test")).get(0).addresses()).containsExactly(
            address("2001:db8::1"), address("192.0.2.1"), address("2001:db8::2"), address("192.0.2.2"),
            address("192.0.2.3"));
    }

    @Test
    void resolveShouldReportANullMxWithoutLookingUpAnyAddress() {
        dns.mx("nullmx.test", 0, ".").a("nullmx.test", "192.0.2.1");

        Route route = testee.resolve("nullmx.test");

        assertThat(route).isEqualTo(new Route.NullMx("nullmx.test"));
        assertThat(((Route.Failure) route).status()).isEqualTo("5.1.10");
        assertThat(((Route.Failure) route).isPermanent()).isTrue();
        assertThat(dns.questions()).containsExactly("nullmx.test/MX");
    }

    @Test
    void resolveShouldTreatANullMxAmongOtherMxRecordsAsANullMx() {
        dns.mx("mixed.test", 0, ".").mx("mixed.test", 10, "mx.mixed.test").a("mx.mixed.test", "192.0.2.1");

        assertThat(testee.resolve("mixed.test")).isEqualTo(new Route.NullMx("mixed.test"));
    }

    @Test
    void resolveShouldFailPermanentlyWith512WhenTheDomainDoesNotExist() {
        Route route = testee.resolve("nowhere.test");

        assertThat(route).isInstanceOf(Route.PermanentFailure.class);
        assertThat(((Route.Failure) route).status()).isEqualTo("5.1.2");
        assertThat(((Route.Failure) route).reason()).contains("nowhere.test", "NXDOMAIN");
    }

    @Test
    void resolveShouldFailTemporarilyWith443WhenTheServerFailsOnTheMxLookup() {
        dns.a("broken.test", "192.0.2.1").serverFailure("broken.test", Type.MX);

        Route route = testee.resolve("broken.test");

        assertThat(route).isEqualTo(Route.TemporaryFailure.dnsFailure("MX lookup for broken.test failed: SERVFAIL"));
        assertThat(((Route.Failure) route).status()).isEqualTo("4.4.3");
    }

    @Test
    void resolveShouldFailTemporarilyWhenTheMxLookupTimesOut() {
        dns.timeout("slow.test", Type.MX);

        assertThat(testee.resolve("slow.test"))
            .isEqualTo(Route.TemporaryFailure.dnsFailure("MX lookup for slow.test failed: timed out"));
    }

    @Test
    void resolveShouldFailTemporarilyWhenTheFallbackAddressLookupFails() {
        dns.aaaa("plain.test", "2001:db8::9").serverFailure("plain.test", Type.AAAA)
            .serverFailure("plain.test", Type.A);

        assertThat(testee.resolve("plain.test")).isInstanceOf(Route.TemporaryFailure.class);
    }

    @Test
    void resolveShouldFailPermanentlyWith544WhenTheDomainHasNeitherMxNorAddress() {
        dns.txt("nomail.test", "v=spf1 -all");

        assertThat(testee.resolve("nomail.test")).isEqualTo(Route.PermanentFailure.noAddress(
            "nomail.test has no MX record and no A or AAAA record"));
    }

    @Test
    void resolveShouldAcceptUpperCaseAndAFinalDot() {
        dns.mx("example.test", 10, "MX.Example.Test").a("mx.example.test", "192.0.2.1");

        assertThat(hostsOf(testee.resolve("EXAMPLE.Test."))).containsExactly("mx.example.test");
    }

    @Test
    void resolveShouldLookUpAnInternationalisedDomainByItsALabel() {
        dns.mx("xn--bcher-kva.test", 10, "mx.xn--bcher-kva.test").a("mx.xn--bcher-kva.test", "192.0.2.1");

        assertThat(hostsOf(testee.resolve("bücher.test"))).containsExactly("mx.xn--bcher-kva.test");
    }

    @Test
    void resolveShouldFailPermanentlyWith513OnAMalformedDomain() {
        Route route = testee.resolve("a..b.test");

        assertThat(route).isInstanceOf(Route.PermanentFailure.class);
        assertThat(((Route.Failure) route).status()).isEqualTo("5.1.3");
        assertThat(dns.questions()).isEmpty();
    }

    private void equalPreferenceDomain() {
        dns.mx("example.test", 10, "a.example.test").a("a.example.test", "192.0.2.1")
            .mx("example.test", 10, "b.example.test").a("b.example.test", "192.0.2.2")
            .mx("example.test", 10, "c.example.test").a("c.example.test", "192.0.2.3")
            .mx("example.test", 20, "backup.example.test").a("backup.example.test", "192.0.2.4");
    }
}
