package org.postino.server.autoconfig;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

class RequestRateLimiterTest {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);

    @Test
    void aClientHasItsBurstThenOneRequestPerShareOfTheMinute() throws Exception {
        RequestRateLimiter limiter = new RequestRateLimiter(6, now::get);
        InetAddress client = InetAddress.getByName("192.0.2.1");

        for (int i = 0; i < 6; i++) {
            assertThat(limiter.allow(client)).as("request " + i).isTrue();
        }
        assertThat(limiter.allow(client)).isFalse();
        assertThat(limiter.retryAfterSeconds()).isEqualTo(10);

        now.addAndGet(9_000_000_000L);
        assertThat(limiter.allow(client)).isFalse();
        now.addAndGet(1_000_000_000L);
        assertThat(limiter.allow(client)).isTrue();
        assertThat(limiter.allow(client)).isFalse();
    }

    @Test
    void clientsHaveAllowancesOfTheirOwnAndAnIpv6Slash64IsOneClient() throws Exception {
        RequestRateLimiter limiter = new RequestRateLimiter(1, now::get);

        assertThat(limiter.allow(InetAddress.getByName("192.0.2.1"))).isTrue();
        assertThat(limiter.allow(InetAddress.getByName("192.0.2.1"))).isFalse();
        assertThat(limiter.allow(InetAddress.getByName("192.0.2.2"))).isTrue();
        assertThat(limiter.allow(InetAddress.getByName("2001:db8:1:2::1"))).isTrue();
        assertThat(limiter.allow(InetAddress.getByName("2001:db8:1:2:ffff::9"))).isFalse();
        assertThat(limiter.allow(InetAddress.getByName("2001:db8:1:3::1"))).isTrue();
    }

    @Test
    void zeroMeansNoLimit() throws Exception {
        RequestRateLimiter limiter = new RequestRateLimiter(0, now::get);

        for (int i = 0; i < 1000; i++) {
            assertThat(limiter.allow(InetAddress.getByName("192.0.2.1"))).isTrue();
        }
    }

    @Test
    void memoryStaysBoundedWhateverTheNumberOfClients() throws Exception {
        RequestRateLimiter limiter = new RequestRateLimiter(1, now::get);
        byte[] address = {10, 0, 0, 0};

        for (int i = 0; i < RequestRateLimiter.MAX_CLIENTS * 3; i++) {
            address[1] = (byte) (i >> 16);
            address[2] = (byte) (i >> 8);
            address[3] = (byte) i;
            limiter.allow(InetAddress.getByAddress(address));
        }

        assertThat(limiter.trackedClients()).isLessThanOrEqualTo(RequestRateLimiter.MAX_CLIENTS);
    }
}
