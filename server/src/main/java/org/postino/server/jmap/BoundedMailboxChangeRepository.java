package org.postino.server.jmap;

import java.util.Objects;
import java.util.Optional;

import org.apache.james.jmap.api.change.MailboxChange;
import org.apache.james.jmap.api.change.MailboxChangeRepository;
import org.apache.james.jmap.api.change.MailboxChanges;
import org.apache.james.jmap.api.change.Limit;
import org.apache.james.jmap.api.change.State;
import org.apache.james.jmap.api.model.AccountId;

import reactor.core.publisher.Mono;

/** {@code Mailbox/changes} from a {@link BoundedChangeLog}: the last changes of each account, in memory. */
public class BoundedMailboxChangeRepository implements MailboxChangeRepository {

    private final BoundedChangeLog<MailboxChange> log;
    private final Limit defaultLimit;

    public BoundedMailboxChangeRepository(int capacityPerAccount, Limit defaultLimit) {
        this.log = new BoundedChangeLog<>(capacityPerAccount, MailboxChange::getAccountId, MailboxChange::getState,
            MailboxChange::getDate, MailboxChange::isDelegated);
        this.defaultLimit = defaultLimit;
    }

    @Override
    public Mono<Void> save(MailboxChange change) {
        Objects.requireNonNull(change.getAccountId(), "accountId");
        Objects.requireNonNull(change.getState(), "state");
        return Mono.fromRunnable(() -> log.save(change));
    }

    @Override
    public Mono<MailboxChanges> getSinceState(AccountId accountId, State state, Optional<Limit> maxChanges) {
        return changes(accountId, state, maxChanges, false);
    }

    @Override
    public Mono<MailboxChanges> getSinceStateWithDelegation(AccountId accountId, State state, Optional<Limit> maxChanges) {
        return changes(accountId, state, maxChanges, true);
    }

    private Mono<MailboxChanges> changes(AccountId accountId, State state, Optional<Limit> maxChanges, boolean withDelegated) {
        Objects.requireNonNull(accountId, "accountId");
        Objects.requireNonNull(state, "state");
        maxChanges.ifPresent(limit -> {
            if (limit.getValue() <= 0) {
                throw new IllegalArgumentException("maxChanges must be a positive integer");
            }
        });
        return Mono.fromCallable(() -> BoundedChangeLog.collect(log.since(accountId, state, withDelegated),
            new MailboxChanges.MailboxChangesBuilder.MailboxChangeCollector(state, maxChanges.orElse(defaultLimit))));
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
