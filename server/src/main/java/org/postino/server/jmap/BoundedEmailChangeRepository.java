package org.postino.server.jmap;

import java.util.Objects;
import java.util.Optional;

import org.apache.james.jmap.api.change.EmailChange;
import org.apache.james.jmap.api.change.EmailChangeRepository;
import org.apache.james.jmap.api.change.EmailChanges;
import org.apache.james.jmap.api.change.Limit;
import org.apache.james.jmap.api.change.State;
import org.apache.james.jmap.api.model.AccountId;

import reactor.core.publisher.Mono;

/** {@code Email/changes} from a {@link BoundedChangeLog}: the last changes of each account, in memory. */
public class BoundedEmailChangeRepository implements EmailChangeRepository {

    private final BoundedChangeLog<EmailChange> log;
    private final Limit defaultLimit;

    public BoundedEmailChangeRepository(int capacityPerAccount, Limit defaultLimit) {
        this.log = new BoundedChangeLog<>(capacityPerAccount, EmailChange::getAccountId, EmailChange::getState,
            EmailChange::getDate, EmailChange::isDelegated);
        this.defaultLimit = defaultLimit;
    }

    @Override
    public Mono<Void> save(EmailChange change) {
        Objects.requireNonNull(change.getAccountId(), "accountId");
        Objects.requireNonNull(change.getState(), "state");
        return Mono.fromRunnable(() -> log.save(change));
    }

    @Override
    public Mono<EmailChanges> getSinceState(AccountId accountId, State state, Optional<Limit> maxChanges) {
        return changes(accountId, state, maxChanges, false);
    }

    @Override
    public Mono<EmailChanges> getSinceStateWithDelegation(AccountId accountId, State state, Optional<Limit> maxChanges) {
        return changes(accountId, state, maxChanges, true);
    }

    private Mono<EmailChanges> changes(AccountId accountId, State state, Optional<Limit> maxChanges, boolean withDelegated) {
        Objects.requireNonNull(accountId, "accountId");
        Objects.requireNonNull(state, "state");
        maxChanges.ifPresent(limit -> {
            if (limit.getValue() <= 0) {
                throw new IllegalArgumentException("maxChanges must be a positive integer");
            }
        });
        return Mono.fromCallable(() -> BoundedChangeLog.collect(log.since(accountId, state, withDelegated),
            new EmailChanges.Builder.EmailChangeCollector(state, maxChanges.orElse(defaultLimit))));
    }

    @Override
    public Mono<State> getLatestState(AccountId accountId) {
        return Mono.fromCallable(() -> log.latest(accountId, false));
    }

    @Override
    public Mono<State> getLatestStateWithDelegation(AccountId accountId) {
        return Mono.fromCallable(() -> log.latest(accountId, true));
    }
}
