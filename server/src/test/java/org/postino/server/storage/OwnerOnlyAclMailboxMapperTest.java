package org.postino.server.storage;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.james.core.Username;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.model.MailboxACL;
import org.apache.james.mailbox.model.MailboxPath;
import org.apache.james.mailbox.model.UidValidity;
import org.apache.james.mailbox.jpa.JPAId;
import org.junit.jupiter.api.Test;

class OwnerOnlyAclMailboxMapperTest {
    private static final Username ALICE = Username.of("alice@example.com");
    private static final Mailbox INBOX = new Mailbox(MailboxPath.inbox(ALICE), UidValidity.of(42), JPAId.of(1));

    @Test
    void theOwnersOwnRightsAreNotSharing() throws Exception {
        assertThat(OwnerOnlyAclMailboxMapper.grantsOthers(INBOX, MailboxACL.EMPTY)).isFalse();
        assertThat(OwnerOnlyAclMailboxMapper.grantsOthers(INBOX, MailboxACL.OWNER_FULL_ACL)).isFalse();
        assertThat(OwnerOnlyAclMailboxMapper.grantsOthers(INBOX,
            MailboxACL.EMPTY.apply(MailboxACL.command().forUser(ALICE).rights(MailboxACL.FULL_RIGHTS).asAddition()))).isFalse();
    }

    @Test
    void rightsForAnyoneElseAreSharing() throws Exception {
        assertThat(OwnerOnlyAclMailboxMapper.grantsOthers(INBOX, MailboxACL.EMPTY.apply(
            MailboxACL.command().forUser(Username.of("bob@example.com")).rights(MailboxACL.Right.Read).asAddition()))).isTrue();
        assertThat(OwnerOnlyAclMailboxMapper.grantsOthers(INBOX, MailboxACL.EMPTY.apply(
            MailboxACL.command().key(MailboxACL.ANYBODY_KEY).rights(MailboxACL.Right.Lookup).asAddition()))).isTrue();
    }
}
