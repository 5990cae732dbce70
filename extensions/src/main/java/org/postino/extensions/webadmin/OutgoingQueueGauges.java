package org.postino.extensions.webadmin;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.apache.james.lifecycle.api.Startable;
import org.apache.james.metrics.api.GaugeRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The outgoing queue's depth as James metrics (WebAdmin {@code GET /metrics} when the server exposes them, and the
 * metrics log), read from one browse of the queue at most every {@link #FRESHNESS}:
 * <ul>
 *   <li>{@code postino.outgoing.mails}: mails queued (the queue's own count);</li>
 *   <li>{@code postino.outgoing.priority.0} .. {@code postino.outgoing.priority.9}: mails queued at each priority
 *       (mail without a priority counts as 5, the queue's default);</li>
 *   <li>{@code postino.outgoing.destinations}: destination domains with mail queued;</li>
 *   <li>{@code postino.outgoing.largestDestination}: the mails queued for the destination with the most.</li>
 * </ul>
 * Per-destination depth is in WebAdmin's {@code GET /postino/outgoing}: one gauge per destination domain would grow
 * the metrics without bound. The counts by priority and destination cover the mails one browse hands out (the first
 * 10,000 with the ActiveMQ queue); {@code postino.outgoing.mails} is always exact.
 */
public final class OutgoingQueueGauges implements Startable {

    static final Duration FRESHNESS = Duration.ofSeconds(10);
    static final String PREFIX = "postino.outgoing.";
    private static final int PRIORITIES = 10;
    private static final int DEFAULT_PRIORITY = 5;
    private static final Logger LOGGER = LoggerFactory.getLogger(OutgoingQueueGauges.class);

    private final OutgoingQueue queue;
    private final GaugeRegistry gauges;
    private final Clock clock;
    private Snapshot snapshot = Snapshot.EMPTY;
    private Instant takenAt = Instant.MIN;

    public OutgoingQueueGauges(OutgoingQueue queue, GaugeRegistry gauges, Clock clock) {
        this.queue = queue;
        this.gauges = gauges;
        this.clock = clock;
    }

    /** Registers the gauges. */
    public void start() {
        gauges.register(PREFIX + "mails", () -> snapshot().size);
        for (int priority = 0; priority < PRIORITIES; priority++) {
            int level = priority;
            gauges.register(PREFIX + "priority." + priority, () -> snapshot().byPriority[level]);
        }
        gauges.register(PREFIX + "destinations", () -> snapshot().destinations);
        gauges.register(PREFIX + "largestDestination", () -> snapshot().largestDestination);
    }

    /** The counts, browsed again when the last ones are older than {@link #FRESHNESS}; the last ones if that fails. */
    synchronized Snapshot snapshot() {
        Instant now = clock.instant();
        if (Duration.between(takenAt, now).compareTo(FRESHNESS) < 0) {
            return snapshot;
        }
        takenAt = now;
        try {
            snapshot = Snapshot.of(queue.list(Selection.all()));
        } catch (Exception e) {
            LOGGER.warn("Could not read the outgoing queue for its metrics; keeping the last figures", e);
        }
        return snapshot;
    }

    /** What one browse of the queue counted. */
    static final class Snapshot {

        static final Snapshot EMPTY = new Snapshot(0, new long[PRIORITIES], 0, 0);

        final long size;
        final long[] byPriority;
        final long destinations;
        final long largestDestination;

        private Snapshot(long size, long[] byPriority, long destinations, long largestDestination) {
            this.size = size;
            this.byPriority = byPriority;
            this.destinations = destinations;
            this.largestDestination = largestDestination;
        }

        static Snapshot of(OutgoingQueue.Listing listing) {
            long[] byPriority = new long[PRIORITIES];
            Map<String, Long> byDestination = new HashMap<>();
            List<QueuedMail> mails = listing.mails();
            for (QueuedMail mail : mails) {
                int priority = Optional.of(mail.priority()).flatMap(p -> p)
                    .map(p -> Math.max(0, Math.min(PRIORITIES - 1, p))).orElse(DEFAULT_PRIORITY);
                byPriority[priority]++;
                byDestination.merge(mail.destination(), 1L, Long::sum);
            }
            long largest = byDestination.values().stream().mapToLong(Long::longValue).max().orElse(0);
            return new Snapshot(listing.queueSize(), byPriority, byDestination.size(), largest);
        }
    }
}
