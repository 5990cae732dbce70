package org.postino.server.web;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Failed sign-ins counted per key (a client address, a user name) over a sliding window: once a key has
 * {@code maxFailures} failures within {@code window}, further attempts are refused until the oldest of them leaves the
 * window. Memory is bounded: past {@link #MAX_KEYS} keys, keys with no recent failure are dropped, and if that is
 * not enough, arbitrary ones (a flood of made-up keys then costs real keys their count, never memory).
 */
public class LoginRateLimiter {

    static final int MAX_KEYS = 100_000;

    private final Map<String, Deque<Instant>> failures = new ConcurrentHashMap<>();
    private final int maxFailures;
    private final Duration window;
    private final Clock clock;

    public LoginRateLimiter(int maxFailures, Duration window, Clock clock) {
        if (maxFailures < 1) {
            throw new IllegalArgumentException("maxFailures must be at least 1");
        }
        this.maxFailures = maxFailures;
        this.window = window;
        this.clock = clock;
    }

    /** How long {@code key} must wait before its next attempt; empty when it may try now. */
    public Optional<Duration> retryAfter(String key) {
        Deque<Instant> recent = failures.get(key);
        if (recent == null) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        synchronized (recent) {
            prune(recent, now);
            if (recent.size() < maxFailures) {
                return Optional.empty();
            }
            Duration wait = Duration.between(now, recent.peekFirst().plus(window));
            return Optional.of(wait.isNegative() || wait.isZero() ? Duration.ofSeconds(1) : wait);
        }
    }

    public void recordFailure(String key) {
        if (failures.size() >= MAX_KEYS && !failures.containsKey(key)) {
            makeRoom();
        }
        Instant now = clock.instant();
        Deque<Instant> recent = failures.computeIfAbsent(key, k -> new ArrayDeque<>());
        synchronized (recent) {
            prune(recent, now);
            recent.addLast(now);
            while (recent.size() > maxFailures) {
                recent.removeFirst();
            }
        }
    }

    public void reset(String key) {
        failures.remove(key);
    }

    int keys() {
        return failures.size();
    }

    private void prune(Deque<Instant> recent, Instant now) {
        Instant horizon = now.minus(window);
        while (!recent.isEmpty() && !recent.peekFirst().isAfter(horizon)) {
            recent.removeFirst();
        }
    }

    private void makeRoom() {
        Instant now = clock.instant();
        failures.entrySet().removeIf(entry -> {
            synchronized (entry.getValue()) {
                prune(entry.getValue(), now);
                return entry.getValue().isEmpty();
            }
        });
        Iterator<String> keys = failures.keySet().iterator();
        int toDrop = failures.size() - MAX_KEYS * 9 / 10;
        while (toDrop-- > 0 && keys.hasNext()) {
            keys.next();
            keys.remove();
        }
    }
}
