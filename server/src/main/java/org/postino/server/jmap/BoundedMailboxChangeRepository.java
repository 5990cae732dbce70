package org.postino.server.jmap;

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
        return log.record(change);
    }

    @Override
    public Mono<MailboxChanges> getSinceState(AccountId accountId, State state, Optional<Limit> maxChanges) {
        return log.answer(accountId, state, maxChanges, defaultLimit, false, MailboxChanges.MailboxChangesBuilder.MailboxChangeCollector::new);
    }

    @Override
    public Mono<MailboxChanges> getSinceStateWithDelegation(AccountId accountId, State state, Optional<Limit> maxChanges) {
        return log.answer(accountId, state, maxChanges, defaultLimit, true, MailboxChanges.MailboxChangesBuilder.MailboxChangeCollector::new);
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
