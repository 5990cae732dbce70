package org.postino.server.autoconfig;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * A token bucket per client: {@code perMinute} requests a minute, in bursts of up to as many. A client is an IPv4
 * address or an IPv6 /64 (one host usually holds a whole /64). Memory is bounded: past {@value #MAX_CLIENTS} clients,
 * the buckets that are full again (clients quiet for a minute) are dropped, and if that is not enough, all of them.
 */
public final class RequestRateLimiter {

    static final int MAX_CLIENTS = 10_000;
    private static final long NANOS_PER_MINUTE = 60_000_000_000L;

    private final int perMinute;
    private final LongSupplier nanoTime;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    /** @param perMinute 0 for no limit */
    public RequestRateLimiter(int perMinute, LongSupplier nanoTime) {
        this.perMinute = perMinute;
        this.nanoTime = nanoTime;
    }

    public static RequestRateLimiter perMinute(int perMinute) {
        return new RequestRateLimiter(perMinute, System::nanoTime);
    }

    /** Takes one request from the client's allowance: true when it may be served. */
    public boolean allow(InetAddress client) {
        if (perMinute <= 0) {
            return true;
        }
        long now = nanoTime.getAsLong();
        if (buckets.size() >= MAX_CLIENTS) {
            buckets.values().removeIf(bucket -> bucket.isFull(now));
            if (buckets.size() >= MAX_CLIENTS) {
                buckets.clear();
            }
        }
        return buckets.computeIfAbsent(key(client), key -> new Bucket(now)).take(now);
    }

    /** Seconds until a client that was refused has a request again. */
    public int retryAfterSeconds() {
        return perMinute <= 0 ? 0 : Math.max(1, (int) Math.ceil(60.0 / perMinute));
    }

    int trackedClients() {
        return buckets.size();
    }

    static String key(InetAddress client) {
        byte[] bytes = client.getAddress();
        if (client instanceof Inet6Address && bytes.length == 16) {
            return Arrays.toString(Arrays.copyOf(bytes, 8)) + "/64";
        }
        return client.getHostAddress();
    }

    private final class Bucket {
        private double tokens;
        private long updated;

        Bucket(long now) {
            this.tokens = perMinute;
            this.updated = now;
        }

        synchronized boolean take(long now) {
            refill(now);
            if (tokens >= 1) {
                tokens -= 1;
                return true;
            }
            return false;
        }

        synchronized boolean isFull(long now) {
            refill(now);
            return tokens >= perMinute;
        }

        private void refill(long now) {
            long elapsed = Math.max(0, now - updated);
            tokens = Math.min(perMinute, tokens + (double) elapsed * perMinute / NANOS_PER_MINUTE);
            updated = now;
        }
    }
}
