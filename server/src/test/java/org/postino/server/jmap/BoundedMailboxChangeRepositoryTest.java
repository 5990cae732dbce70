package org.postino.server.jmap;

import java.util.concurrent.ThreadLocalRandom;

import org.apache.james.jmap.api.change.MailboxChangeRepository;
import org.apache.james.jmap.api.change.MailboxChangeRepositoryContract;
import org.apache.james.jmap.api.change.State;
import org.apache.james.mailbox.jpa.JPAId;
import org.apache.james.mailbox.model.MailboxId;
import org.junit.jupiter.api.BeforeEach;

/** James's contract for mailbox change repositories. */
class BoundedMailboxChangeRepositoryTest implements MailboxChangeRepositoryContract {

    private BoundedMailboxChangeRepository repository;

    @BeforeEach
    void setUp() {
        repository = new BoundedMailboxChangeRepository(100, DEFAULT_NUMBER_OF_CHANGES);
    }

    @Override
    public State.Factory stateFactory() {
        return State.Factory.DEFAULT;
    }

    @Override
    public MailboxChangeRepository mailboxChangeRepository() {
        return repository;
    }

    @Override
    public MailboxId generateNewMailboxId() {
        return JPAId.of(ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE));
    }
}
