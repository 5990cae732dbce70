package org.postino.mailets.delivery.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

class MxResolverForServersTest {

    @Test
    void forServersShouldFailTemporarilyWhenTheServerNeverAnswers() throws Exception {
        try (DatagramSocket silentServer = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            MxResolver testee = MxResolver.forServers(
                List.of((InetSocketAddress) silentServer.getLocalSocketAddress()), Duration.ofMillis(400));

            long start = System.nanoTime();
            Route route = testee.resolve("example.test");

            assertThat(route).isInstanceOf(Route.TemporaryFailure.class);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
        }
    }

    @Test
    void forServersShouldRejectAnEmptyServerList() {
        assertThatThrownBy(() -> MxResolver.forServers(List.of(), Duration.ofSeconds(5)))
            .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void forServersShouldRejectANonPositiveTimeout() {
        InetSocketAddress server = new InetSocketAddress(InetAddress.getLoopbackAddress(), 53);

        assertThatThrownBy(() -> MxResolver.forServers(List.of(server), Duration.ZERO))
            .isInstanceOf(IllegalArgumentException.class);
    }
}
