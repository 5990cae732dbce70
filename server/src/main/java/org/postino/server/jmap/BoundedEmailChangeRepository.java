package org.postino.server.jmap;

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
        return log.record(change);
    }

    @Override
    public Mono<EmailChanges> getSinceState(AccountId accountId, State state, Optional<Limit> maxChanges) {
        return log.answer(accountId, state, maxChanges, defaultLimit, false, EmailChanges.Builder.EmailChangeCollector::new);
    }

    @Override
    public Mono<EmailChanges> getSinceStateWithDelegation(AccountId accountId, State state, Optional<Limit> maxChanges) {
        return log.answer(accountId, state, maxChanges, defaultLimit, true, EmailChanges.Builder.EmailChangeCollector::new);
    }

    @Override
    public Mono<State> getLatestState(AccountId accountId) {
        return log.latestState(accountId, false);
    }

    @Override
    public Mono<State> getLatestStateWithDelegation(AccountId accountId) {
        return log.latestState(accountId, true);
    }
}
