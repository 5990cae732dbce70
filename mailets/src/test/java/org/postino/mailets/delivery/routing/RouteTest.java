package org.postino.mailets.delivery.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.postino.mailets.delivery.routing.FakeDnsResolver.address;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class RouteTest {

    @Test
    void targetShouldNotChangeWhenTheListItWasBuiltFromChanges() {
        List<InetAddress> addresses = new ArrayList<>(List.of(address("192.0.2.1")));
        Target testee = Target.of("mx.example.test", 10, addresses);

        addresses.add(address("192.0.2.2"));

        assertThat(testee.addresses()).containsExactly(address("192.0.2.1"));
    }

    @Test
    void targetShouldRejectAnEmptyAddressList() {
        assertThatThrownBy(() -> Target.of("mx.example.test", 10, List.of()))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("mx.example.test");
    }

    @Test
    void targetShouldRejectAPreferenceOutsideSixteenBits() {
        assertThatThrownBy(() -> Target.of("mx.example.test", 65536, List.of(address("192.0.2.1"))))
            .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void destinationsShouldRejectAnEmptyTargetList() {
        assertThatThrownBy(() -> Route.Destinations.of(List.of())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void nullMxShouldBeAPermanentFailureWith5110() {
        Route.NullMx testee = new Route.NullMx("example.test");

        assertThat(testee.isPermanent()).isTrue();
        assertThat(testee.status()).isEqualTo("5.1.10");
        assertThat(testee.reason()).contains("example.test", "null MX");
    }

    @Test
    void permanentFailureShouldRejectATemporaryStatus() {
        assertThatThrownBy(() -> new Route.PermanentFailure("reason", "4.4.3"))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("4.4.3");
    }

    @Test
    void temporaryFailureShouldRejectAPermanentStatus() {
        assertThatThrownBy(() -> new Route.TemporaryFailure("reason", "5.1.2"))
            .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void failuresShouldRejectAMalformedStatus() {
        assertThatThrownBy(() -> new Route.PermanentFailure("reason", "550"))
            .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void factoriesShouldUseTheDocumentedStatuses() {
        assertThat(Route.PermanentFailure.noSuchDomain("r").status()).isEqualTo("5.1.2");
        assertThat(Route.PermanentFailure.badSyntax("r").status()).isEqualTo("5.1.3");
        assertThat(Route.PermanentFailure.noAddress("r").status()).isEqualTo("5.4.4");
        assertThat(Route.TemporaryFailure.dnsFailure("r").status()).isEqualTo("4.4.3");
        assertThat(Route.TemporaryFailure.dnsFailure("r").isPermanent()).isFalse();
    }
}
