package org.postino.server.jmap;

import java.time.ZonedDateTime;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Predicate;

import org.apache.james.jmap.api.change.State;
import org.apache.james.jmap.api.exception.ChangeNotFoundException;
import org.apache.james.jmap.api.model.AccountId;

/**
 * The last changes of each account, in date order, at most {@code capacity} per account: what JMAP's
 * {@code Email/changes} and {@code Mailbox/changes} answer from. James's in-memory repositories keep every change
 * forever (a heap that grows with every delivery, and a sort of all of them at every request); here the oldest
 * change goes when a new one comes in beyond the capacity. A client whose state is older than what is kept is told
 * it cannot be answered ({@link ChangeNotFoundException}, JMAP {@code cannotCalculateChanges}), after which
 * RFC 8620 has it resynchronise — the same as after a restart, since the log lives in memory.
 *
 * @param <C> the kind of change (e-mail or mailbox)
 */
final class BoundedChangeLog<C> {

    private final int capacity;
    private final Function<C, AccountId> account;
    private final Function<C, State> state;
    private final Function<C, ZonedDateTime> date;
    private final Predicate<C> delegated;
    private final Map<AccountId, Account<C>> accounts = new ConcurrentHashMap<>();

    BoundedChangeLog(int capacity, Function<C, AccountId> account, Function<C, State> state,
                     Function<C, ZonedDateTime> date, Predicate<C> delegated) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive");
        }
        this.capacity = capacity;
        this.account = account;
        this.state = state;
        this.date = date;
        this.delegated = delegated;
    }

    private static final class Account<C> {
        final ArrayDeque<C> changes = new ArrayDeque<>();
        boolean trimmed;
    }

    void save(C change) {
        Account<C> log = accounts.computeIfAbsent(account.apply(change), id -> new Account<>());
        synchronized (log) {
            // changes arrive in date order nearly always; one that is late goes where its date says
            if (log.changes.isEmpty() || !date.apply(log.changes.peekLast()).isAfter(date.apply(change))) {
                log.changes.addLast(change);
            } else {
                List<C> ordered = new ArrayList<>(log.changes);
                int at = ordered.size();
                while (at > 0 && date.apply(ordered.get(at - 1)).isAfter(date.apply(change))) {
                    at--;
                }
                ordered.add(at, change);
                log.changes.clear();
                log.changes.addAll(ordered);
            }
            while (log.changes.size() > capacity) {
                log.changes.removeFirst();
                log.trimmed = true;
            }
        }
    }

    /** The newest state (of the account's own changes only, unless {@code withDelegated}), or {@link State#INITIAL}. */
    State latest(AccountId accountId, boolean withDelegated) {
        Account<C> log = accounts.get(accountId);
        if (log == null) {
            return State.INITIAL;
        }
        synchronized (log) {
            Iterator<C> newestFirst = log.changes.descendingIterator();
            while (newestFirst.hasNext()) {
                C change = newestFirst.next();
                if (withDelegated || !delegated.test(change)) {
                    return state.apply(change);
                }
            }
            // every change kept is delegated: the account's own latest state was trimmed away, or never was
            return State.INITIAL;
        }
    }

    /**
     * The changes after {@code since}, oldest first ({@code since} itself excluded); all of them from
     * {@link State#INITIAL}. Throws {@link ChangeNotFoundException} for a state that is not (or no longer) kept.
     */
    List<C> since(AccountId accountId, State since, boolean withDelegated) {
        Account<C> log = accounts.get(accountId);
        List<C> result = new ArrayList<>();
        if (log == null) {
            if (since.equals(State.INITIAL)) {
                return result;
            }
            throw notFound(since);
        }
        synchronized (log) {
            boolean found = since.equals(State.INITIAL);
            if (found && log.trimmed) {
                throw new ChangeNotFoundException(since, "the changes since the initial state are no longer all kept");
            }
            for (C change : log.changes) {
                if (found) {
                    if (withDelegated || !delegated.test(change)) {
                        result.add(change);
                    }
                } else if (state.apply(change).equals(since)) {
                    found = true;
                }
            }
            if (!found) {
                throw notFound(since);
            }
        }
        return result;
    }

    /** Records a change, as a JMAP repository's {@code save}. */
    reactor.core.publisher.Mono<Void> record(C change) {
        Objects.requireNonNull(account.apply(change), "accountId");
        Objects.requireNonNull(state.apply(change), "state");
        return reactor.core.publisher.Mono.fromRunnable(() -> save(change));
    }

    /** The newest state, as a JMAP repository's {@code getLatestState} (or {@code ...WithDelegation}). */
    reactor.core.publisher.Mono<State> latestState(AccountId accountId, boolean withDelegated) {
        return reactor.core.publisher.Mono.fromCallable(() -> latest(accountId, withDelegated));
    }

    /**
     * The changes since {@code since} gathered by James's collector for that kind of change, as a JMAP repository's
     * {@code getSinceState} (or {@code ...WithDelegation}) answers them: at most {@code maxChanges}, else
     * {@code defaultLimit}.
     */
    <R> reactor.core.publisher.Mono<R> answer(AccountId accountId, State since, Optional<org.apache.james.jmap.api.change.Limit> maxChanges,
                                              org.apache.james.jmap.api.change.Limit defaultLimit, boolean withDelegated,
                                              java.util.function.BiFunction<State, org.apache.james.jmap.api.change.Limit, java.util.stream.Collector<C, ?, R>> collector) {
        Objects.requireNonNull(accountId, "accountId");
        Objects.requireNonNull(since, "state");
        maxChanges.ifPresent(limit -> {
            if (limit.getValue() <= 0) {
                throw new IllegalArgumentException("maxChanges must be a positive integer");
            }
        });
        return reactor.core.publisher.Mono.fromCallable(() ->
            collect(since(accountId, since, withDelegated), collector.apply(since, maxChanges.orElse(defaultLimit))));
    }

    /**
     * Runs James's change collector over the changes in order, without the parallel combiner that
     * {@code Stream.collect} asks for (James's collectors are sequential only and refuse to give one).
     */
    static <T, A, R> R collect(List<T> changes, java.util.stream.Collector<T, A, R> collector) {
        A container = collector.supplier().get();
        for (T change : changes) {
            collector.accumulator().accept(container, change);
        }
        return collector.finisher().apply(container);
    }

    private static ChangeNotFoundException notFound(State state) {
        return new ChangeNotFoundException(state, String.format("State '%s' could not be found", state.getValue()));
    }

    Optional<Integer> size(AccountId accountId) {
        return Optional.ofNullable(accounts.get(accountId)).map(log -> {
            synchronized (log) {
                return log.changes.size();
            }
        });
    }
}
