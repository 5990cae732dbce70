package org.postino.mailets.delivery.fairness;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Admits deliveries to each destination domain, Postfix-style.
 *
 * <p><b>Concurrency.</b> A destination may have as many deliveries running at once as its window, which starts at
 * {@code initialDestinationConcurrency}, grows by one with every attempt that reached a host (up to
 * {@code destinationConcurrency}) and shrinks by one with every attempt that reached none (down to 1). A destination
 * that had nothing running for a minute and has no failure to remember is forgotten, and starts again from the initial
 * window.
 *
 * <p><b>Dead destinations.</b> After {@code deadDestinationFailures} attempts in a row that reached no host, the
 * destination is dead for {@code deadDestinationBackoff}; while it is dead nothing is admitted. When the backoff is
 * over, attempts are admitted again (one at a time, since the window has shrunk to 1); if the next one fails too, the
 * destination is dead again for twice as long, up to {@code deadDestinationMaxBackoff}. The first attempt that reaches
 * a host revives it. Attempts that were already running when the destination was declared dead do not extend it.
 *
 * <p><b>Waiting in line.</b> Mail that finds its destination at its limit goes back to the queue for a while, and
 * {@link #waitInLine} says how long: the mails already waiting for that destination with the same or a higher
 * priority, divided by {@code destinationConcurrency}, times the destination's mean attempt time, at most two minutes.
 * A backlog of thousands of mails for one slow destination thus comes back from the queue at about the pace it can be
 * delivered, instead of cycling through the queue every few seconds, while a high-priority mail that arrives behind it
 * waits only for the next free slot. The reckoning is optimistic (the largest window), so that a destination is never
 * held below what it takes: a mail back too early just waits again.
 * {@link #backInLine} is told when a waiting mail is taken from the queue again.
 *
 * <p>All of this lives in memory and is only an optimisation: after a restart every destination is simply tried.
 * Thread-safe; every operation is short and takes one lock.
 */
public final class DestinationGate {

    /** How long a destination with nothing running keeps its window; also how often idle ones are looked for. */
    static final Duration IDLE = Duration.ofMinutes(1);
    /** The shortest and the longest wait in line. */
    static final Duration SHORTEST_WAIT = Duration.ofSeconds(1);
    static final Duration LONGEST_WAIT = Duration.ofMinutes(2);
    /** What an attempt is assumed to take before one has been timed. */
    static final Duration FIRST_ATTEMPT_GUESS = Duration.ofMillis(500);
    /** How late past its time a mail waiting in line may come back and still count as waiting. */
    static final Duration OVERDUE = Duration.ofSeconds(30);
    private static final int PRIORITIES = 10;

    private final FairnessSettings settings;
    private final Clock clock;
    private final Map<String, Destination> destinations = new HashMap<>();
    private Instant lastSweep;

    public DestinationGate(FairnessSettings settings, Clock clock) {
        this.settings = Objects.requireNonNull(settings);
        this.clock = Objects.requireNonNull(clock);
        this.lastSweep = clock.instant();
    }

    /** Whether an attempt at {@code destination} (a domain, any case) may start now. */
    public synchronized Admission admit(String destination) {
        Instant now = clock.instant();
        sweep(now);
        String key = destination.toLowerCase(Locale.ROOT);
        Destination state = destinations.computeIfAbsent(key, name -> new Destination(settings.initialDestinationConcurrency()));
        if (state.deadUntil != null && now.isBefore(state.deadUntil)) {
            return new Admission.Dead(Duration.between(now, state.deadUntil), state.lastFailure);
        }
        if (state.running >= state.window) {
            return new Admission.AtLimit(state.window);
        }
        state.running++;
        return new Admission.Admitted(new Lease(key, state.declarations, now));
    }

    /**
     * Registers a mail of {@code priority} (0..9, out-of-range values clamped) that found {@code destination} at its
     * limit and goes back to the queue; returns how long it should stay there, from {@link #SHORTEST_WAIT} to
     * {@link #LONGEST_WAIT}.
     */
    public synchronized Duration waitInLine(String destination, int priority) {
        Instant now = clock.instant();
        String key = destination.toLowerCase(Locale.ROOT);
        Destination state = destinations.computeIfAbsent(key, name -> new Destination(settings.initialDestinationConcurrency()));
        int level = clamp(priority);
        state.forgetOverdue(now);
        long ahead = 0;
        for (int p = level; p < PRIORITIES; p++) {
            ahead += state.waiting.get(p).size();
        }
        // Reckoned with the largest window the destination may reach: a mail back too early only waits again, a mail
        // back too late would hold the destination below what it can take.
        long millis = Math.round(ahead * state.meanAttemptMillis / settings.destinationConcurrency());
        Duration wait = Duration.ofMillis(Math.max(SHORTEST_WAIT.toMillis(), Math.min(LONGEST_WAIT.toMillis(), millis)));
        Instant back = now.plus(wait);
        state.waiting.get(level).add(back);
        if (state.waitingUntil == null || back.isAfter(state.waitingUntil)) {
            state.waitingUntil = back;
        }
        return wait;
    }

    /** A mail that {@link #waitInLine} sent back is out of the queue again. */
    public synchronized void backInLine(String destination, int priority) {
        Destination state = destinations.get(destination.toLowerCase(Locale.ROOT));
        if (state != null) {
            state.waiting.get(clamp(priority)).poll();
        }
    }

    /** How many mails of {@code destination} are waiting in line, all priorities. */
    public synchronized int waiting(String destination) {
        Destination state = destinations.get(destination.toLowerCase(Locale.ROOT));
        if (state == null) {
            return 0;
        }
        state.forgetOverdue(clock.instant());
        return state.waiting.stream().mapToInt(java.util.Queue::size).sum();
    }

    private static int clamp(int priority) {
        return Math.max(0, Math.min(PRIORITIES - 1, priority));
    }

    /** The current window of {@code destination}: what {@link #admit} would allow at once. */
    public synchronized int window(String destination) {
        Destination state = destinations.get(destination.toLowerCase(Locale.ROOT));
        return state == null ? settings.initialDestinationConcurrency() : state.window;
    }

    private synchronized void release(Lease lease, Contact contact, String failure) {
        Destination state = destinations.get(lease.destination);
        if (state == null) {
            return;
        }
        Instant now = clock.instant();
        state.running--;
        state.lastRelease = now;
        if (contact != Contact.NOT_TRIED) {
            long took = Math.max(0, Duration.between(lease.started, now).toMillis());
            state.meanAttemptMillis = 0.8 * state.meanAttemptMillis + 0.2 * took;
        }
        if (contact == Contact.REACHED) {
            state.window = Math.min(settings.destinationConcurrency(), state.window + 1);
            state.failures = 0;
            state.deadUntil = null;
            state.backoffsInARow = 0;
        } else if (contact == Contact.UNREACHABLE) {
            state.window = Math.max(1, state.window - 1);
            state.failures++;
            state.lastFailure = failure;
            boolean startedSinceLastDeclaration = lease.declarations == state.declarations;
            if (state.failures >= settings.deadDestinationFailures() && startedSinceLastDeclaration) {
                state.deadUntil = now.plus(settings.backoff(state.backoffsInARow));
                state.backoffsInARow++;
                state.declarations++;
            }
        }
    }

    /**
     * Forgets, about once a minute, the destinations that had nothing running for a while: a minute for those with no
     * failure to remember, the longest backoff for the others. Memory stays bounded by the recently active ones.
     */
    private void sweep(Instant now) {
        if (now.isBefore(lastSweep.plus(IDLE))) {
            return;
        }
        lastSweep = now;
        destinations.values().removeIf(state -> state.running == 0 && state.lastRelease != null
            && (state.deadUntil == null || !now.isBefore(state.deadUntil))
            && (state.waitingUntil == null || now.isAfter(state.waitingUntil.plus(IDLE)))
            && state.lastRelease.isBefore(now.minus(state.failures == 0 ? IDLE : settings.deadDestinationMaxBackoff())));
    }

    private static final class Destination {
        int window;
        int running;
        int failures;
        int backoffsInARow;
        /** Counts dead declarations: an attempt admitted before the latest one does not extend it. */
        int declarations;
        Instant deadUntil;
        Instant lastRelease;
        String lastFailure = "";
        /**
         * When the mails sent back at the limit are due back, by priority. A mail not seen again within
         * {@link #OVERDUE} of its time (removed by an operator, say) stops counting.
         */
        final List<PriorityQueue<Instant>> waiting = new ArrayList<>();
        /** When the last of them is due back. */
        Instant waitingUntil;
        /** Moving mean of the attempts' durations. */
        double meanAttemptMillis = FIRST_ATTEMPT_GUESS.toMillis();

        Destination(int window) {
            this.window = window;
            for (int p = 0; p < PRIORITIES; p++) {
                waiting.add(new PriorityQueue<>());
            }
        }

        void forgetOverdue(Instant now) {
            Instant overdue = now.minus(OVERDUE);
            for (PriorityQueue<Instant> times : waiting) {
                while (!times.isEmpty() && times.peek().isBefore(overdue)) {
                    times.poll();
                }
            }
        }
    }

    /** One admitted attempt. Report what it learnt with {@link #reached()} or {@link #unreachable}, and close it. */
    public final class Lease implements AutoCloseable {

        private final String destination;
        private final int declarations;
        private final Instant started;
        private final AtomicBoolean released = new AtomicBoolean();

        private Lease(String destination, int declarations, Instant started) {
            this.destination = destination;
            this.declarations = declarations;
            this.started = started;
        }

        /** A host answered: the window grows, the failure count ends, a dead destination revives. */
        public void reached() {
            release(Contact.REACHED, "");
        }

        /** No host could be reached, for {@code why}. */
        public void unreachable(String why) {
            release(Contact.UNREACHABLE, Objects.requireNonNull(why));
        }

        /** Reports {@code contact}; {@link Contact#NOT_TRIED} only frees the slot. */
        public void release(Contact contact, String why) {
            if (released.compareAndSet(false, true)) {
                DestinationGate.this.release(this, contact, why);
            }
        }

        /** Frees the slot if nothing was reported: the attempt taught nothing about the destination. */
        @Override
        public void close() {
            release(Contact.NOT_TRIED, "");
        }
    }
}
