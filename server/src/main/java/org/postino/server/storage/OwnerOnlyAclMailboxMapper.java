package org.postino.server.storage;

import java.util.Map;

import javax.persistence.EntityManagerFactory;

import org.apache.james.mailbox.acl.ACLDiff;
import org.apache.james.mailbox.exception.UnsupportedOperationException;
import org.apache.james.mailbox.jpa.mail.JPAMailboxMapper;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.model.MailboxACL;

import reactor.core.publisher.Mono;

/**
 * James's JPA mailbox mapper, which keeps a mailbox's access control list in memory only: a right granted to another
 * user would be acknowledged, then forgotten. Until Postino stores rights, granting any to someone other than the
 * owner fails with an explicit error (IMAP {@code SETACL} answers NO, JMAP {@code Mailbox/set} reports the mailbox as
 * not updated) instead of a false success. The owner's implicit rights are unaffected.
 */
public class OwnerOnlyAclMailboxMapper extends JPAMailboxMapper {

    static final String NOT_SUPPORTED = "sharing a mailbox with other users is not supported by this server";

    public OwnerOnlyAclMailboxMapper(EntityManagerFactory entityManagerFactory) {
        super(entityManagerFactory);
    }

    @Override
    public Mono<ACLDiff> updateACL(Mailbox mailbox, MailboxACL.ACLCommand command) {
        MailboxACL result;
        try {
            result = mailbox.getACL().apply(command);
        } catch (Exception e) {
            return Mono.error(e);
        }
        if (grantsOthers(mailbox, result)) {
            return Mono.error(new UnsupportedOperationException(NOT_SUPPORTED));
        }
        return super.updateACL(mailbox, command);
    }

    @Override
    public Mono<ACLDiff> setACL(Mailbox mailbox, MailboxACL acl) {
        if (grantsOthers(mailbox, acl)) {
            return Mono.error(new UnsupportedOperationException(NOT_SUPPORTED));
        }
        return super.setACL(mailbox, acl);
    }

    static boolean grantsOthers(Mailbox mailbox, MailboxACL acl) {
        for (Map.Entry<MailboxACL.EntryKey, MailboxACL.Rfc4314Rights> entry : acl.getEntries().entrySet()) {
            MailboxACL.EntryKey key = entry.getKey();
            if (entry.getValue().isEmpty()) {
                continue;
            }
            boolean owner = key.getNameType() == MailboxACL.NameType.special
                ? key.getName().equals(MailboxACL.SpecialName.owner.name())
                : key.getNameType() == MailboxACL.NameType.user && !key.isNegative()
                    && key.getName().equals(mailbox.getUser().asString());
            if (!owner) {
                return true;
            }
        }
        return false;
    }
}
