package org.postino.server.jmap;

import java.io.InputStream;
import java.util.List;

import org.apache.james.mailbox.AttachmentManager;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.exception.AttachmentNotFoundException;
import org.apache.james.mailbox.model.AttachmentId;
import org.apache.james.mailbox.model.AttachmentMetadata;

import reactor.core.publisher.Mono;

/**
 * The JPA store keeps each message whole and no attachment apart from its message, so there is no attachment to find
 * by an attachment id: JMAP reaches attachments as parts of their message (blob ids {@code <messageId>_<partId>}, which
 * James resolves by reading the message). Lookups by attachment id answer "not found", as for an unknown id.
 */
public class MessagePartsAttachmentManager implements AttachmentManager {

    @Override
    public boolean exists(AttachmentId attachmentId, MailboxSession session) {
        return false;
    }

    @Override
    public AttachmentMetadata getAttachment(AttachmentId attachmentId, MailboxSession session) throws AttachmentNotFoundException {
        throw new AttachmentNotFoundException(attachmentId.getId());
    }

    @Override
    public List<AttachmentMetadata> getAttachments(List<AttachmentId> attachmentIds, MailboxSession session) {
        return List.of();
    }

    @Override
    public InputStream loadAttachmentContent(AttachmentId attachmentId, MailboxSession session) throws AttachmentNotFoundException {
        throw new AttachmentNotFoundException(attachmentId.getId());
    }

    @Override
    public Mono<InputStream> loadAttachmentContentReactive(AttachmentId attachmentId, MailboxSession session) {
        return Mono.error(new AttachmentNotFoundException(attachmentId.getId()));
    }

    @Override
    public InputStream load(AttachmentMetadata attachment, MailboxSession session) throws AttachmentNotFoundException {
        throw new AttachmentNotFoundException(attachment.getAttachmentId().getId());
    }
}
