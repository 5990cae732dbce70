package org.postino.server.storage;

import java.time.Instant;
import java.util.Set;

import javax.persistence.EntityManagerFactory;

import org.apache.james.mailbox.store.AbstractMessageIdManagerStorageTest;
import org.apache.james.mailbox.store.MessageIdManagerTestSystem;
import org.apache.james.mailbox.store.StoreMessageIdManager;
import org.apache.james.utils.UpdatableTickingClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * James's contract for the message id manager, with James's {@link StoreMessageIdManager} on the JPA
 * mailbox manager (as {@link JpaMailboxModule} wires them) and Postino's message id mapper, on Derby.
 *
 * <p>Tests that share a mailbox with another user are left out ({@link WithoutSharing}): James 3.8.1's
 * JPA mailbox mapper does not store rights ({@code setACL} only changes the object it is given), so a
 * right granted is gone at the next read and the sharee is refused. That is the JPA mailbox, not
 * message ids; the JPA mailbox manager does not claim the ACL capability either.
 */
@ExtendWith(JpaMessageIdManagerStorageTest.WithoutSharing.class)
class JpaMessageIdManagerStorageTest extends AbstractMessageIdManagerStorageTest {

    static class WithoutSharing implements ExecutionCondition {
        private static final Set<String> SHARING = Set.of(
            "getMessagesShouldReturnMessagesWhenReadDelegated",
            "accessibleMessagesShouldReturnMessagesWhenReadDelegated",
            "setFlagsShouldUpdateFlagsWhenWriteDelegated",
            "setInMailboxesShouldIgnoreMessagesBelongingToOtherUsers",
            "setInMailboxesShouldAllowCopyingMessageFromReadOnlySharedMailbox",
            "setInMailboxesShouldAllowCopyingToAInsertSharedMailbox",
            "setInMailboxesShouldDenyMovingMessagesFromASharedMailboxWhenNoDeleteRight",
            "setInMailboxShouldAllowDistinctMailboxSetForShareeAndOwner",
            "setInMailboxesShouldPreserveFlagsWhenWriteRight",
            "setInMailboxesShouldSanitizeFlagsWhenNoWriteRight",
            "deleteShouldRemoveMessagesFromSharedMailboxWhenAllowed");

        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            return context.getTestMethod()
                .filter(method -> SHARING.contains(method.getName()))
                .map(method -> ConditionEvaluationResult.disabled("James's JPA mailbox mapper does not store rights (ACL)"))
                .orElse(ConditionEvaluationResult.enabled("no shared mailbox"));
        }
    }

    private static final EntityManagerFactory DATABASE = MailboxTestDatabase.create("messageIdManager");

    @Override
    protected MessageIdManagerTestSystem createTestingData() {
        JpaMailboxStack stack = JpaMailboxStack.create(DATABASE, new UpdatableTickingClock(Instant.now()));
        return new MessageIdManagerTestSystem(stack.messageIdManager(), stack.messageIdFactory(), stack.mapperFactory(),
            stack.mailboxManager());
    }

    @AfterEach
    void emptyDatabase() {
        MailboxTestDatabase.clear(DATABASE);
    }
}
