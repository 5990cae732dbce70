package org.postino.server.storage;

import java.io.IOException;
import java.io.InputStream;
import java.util.Date;
import java.util.List;
import java.util.Optional;

import javax.mail.Flags;

import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.ModSeq;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.model.AttachmentMetadata;
import org.apache.james.mailbox.model.ComposedMessageId;
import org.apache.james.mailbox.model.ComposedMessageIdWithMetaData;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.model.MailboxId;
import org.apache.james.mailbox.model.MessageAttachmentMetadata;
import org.apache.james.mailbox.model.MessageId;
import org.apache.james.mailbox.model.ThreadId;
import org.apache.james.mailbox.store.mail.model.MailboxMessage;
import org.apache.james.mailbox.store.mail.model.impl.Properties;

import com.google.common.collect.ImmutableList;

/**
 * A message of James's JPA mailbox as Postino hands it out: the JPA entity for everything it keeps,
 * and the message id, thread id and save date from {@link MessageIdTable} for what it does not (its
 * own {@code getMessageId()} makes up a new placeholder at every call).
 *
 * <p>It remembers where it was read from ({@link #source()}), so that copying it reads the content
 * from that stored message even when only its metadata was loaded. Setters act on the entity, so a
 * message read by {@link PostinoJpaMessageMapper} in a transaction is updated when that commits.
 */
final class IdentifiedJpaMessage implements MailboxMessage {

    private final MailboxMessage entity;
    private final MessageIdTable.Key source;
    private final MessageId messageId;
    private final ThreadId threadId;
    private Optional<Date> saveDate;

    IdentifiedJpaMessage(MailboxMessage entity, MessageIdTable.Key source, MessageId messageId, ThreadId threadId, Optional<Date> saveDate) {
        this.entity = entity;
        this.source = source;
        this.messageId = messageId;
        this.threadId = threadId;
        this.saveDate = saveDate;
    }

    static IdentifiedJpaMessage of(MailboxMessage entity, MessageIdTable.Entry entry) {
        return new IdentifiedJpaMessage(entity, entry.key(), entry.messageId(), entry.threadId(), entry.saveDate());
    }

    /** The stored message this one was read from (for a copy: the message it copies). */
    MessageIdTable.Key source() {
        return source;
    }

    MailboxMessage entity() {
        return entity;
    }

    @Override
    public MessageId getMessageId() {
        return messageId;
    }

    @Override
    public ThreadId getThreadId() {
        return threadId;
    }

    @Override
    public Optional<Date> getSaveDate() {
        return saveDate;
    }

    @Override
    public void setSaveDate(Date saveDate) {
        this.saveDate = Optional.ofNullable(saveDate);
    }

    @Override
    public ComposedMessageIdWithMetaData getComposedMessageIdWithMetaData() {
        return ComposedMessageIdWithMetaData.builder()
            .composedMessageId(new ComposedMessageId(getMailboxId(), messageId, getUid()))
            .flags(createFlags())
            .modSeq(getModSeq())
            .threadId(threadId)
            .build();
    }

    /** A copy for another mailbox, with the same ids; {@link #source()} still names this stored message. */
    @Override
    public MailboxMessage copy(Mailbox mailbox) throws MailboxException {
        return new IdentifiedJpaMessage(entity.copy(mailbox), source, messageId, threadId, saveDate);
    }

    @Override
    public List<MessageAttachmentMetadata> getAttachments() {
        return entity.getAttachments().stream()
            .map(attachment -> MessageAttachmentMetadata.builder()
                .attachment(AttachmentMetadata.builder()
                    .attachmentId(attachment.getAttachmentId())
                    .type(attachment.getAttachment().getType())
                    .size(attachment.getAttachment().getSize())
                    .messageId(messageId)
                    .build())
                .name(attachment.getName())
                .cid(attachment.getCid())
                .isInline(attachment.isInline())
                .build())
            .collect(ImmutableList.toImmutableList());
    }

    @Override
    public MailboxId getMailboxId() {
        return entity.getMailboxId();
    }

    @Override
    public MessageUid getUid() {
        return entity.getUid();
    }

    @Override
    public void setUid(MessageUid uid) {
        entity.setUid(uid);
    }

    @Override
    public void setModSeq(ModSeq modSeq) {
        entity.setModSeq(modSeq);
    }

    @Override
    public ModSeq getModSeq() {
        return entity.getModSeq();
    }

    @Override
    public boolean isAnswered() {
        return entity.isAnswered();
    }

    @Override
    public boolean isDeleted() {
        return entity.isDeleted();
    }

    @Override
    public boolean isDraft() {
        return entity.isDraft();
    }

    @Override
    public boolean isFlagged() {
        return entity.isFlagged();
    }

    @Override
    public boolean isRecent() {
        return entity.isRecent();
    }

    @Override
    public boolean isSeen() {
        return entity.isSeen();
    }

    @Override
    public void setFlags(Flags flags) {
        entity.setFlags(flags);
    }

    @Override
    public Flags createFlags() {
        return entity.createFlags();
    }

    @Override
    public Date getInternalDate() {
        return entity.getInternalDate();
    }

    @Override
    public InputStream getBodyContent() throws IOException {
        return entity.getBodyContent();
    }

    @Override
    public String getMediaType() {
        return entity.getMediaType();
    }

    @Override
    public String getSubType() {
        return entity.getSubType();
    }

    @Override
    public long getBodyOctets() {
        return entity.getBodyOctets();
    }

    @Override
    public long getFullContentOctets() {
        return entity.getFullContentOctets();
    }

    @Override
    public long getHeaderOctets() {
        return entity.getHeaderOctets();
    }

    @Override
    public Long getTextualLineCount() {
        return entity.getTextualLineCount();
    }

    @Override
    public InputStream getHeaderContent() throws IOException {
        return entity.getHeaderContent();
    }

    @Override
    public InputStream getFullContent() throws IOException {
        return entity.getFullContent();
    }

    @Override
    public Properties getProperties() {
        return entity.getProperties();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof IdentifiedJpaMessage && entity.equals(((IdentifiedJpaMessage) other).entity);
    }

    @Override
    public int hashCode() {
        return entity.hashCode();
    }

    @Override
    public String toString() {
        return "IdentifiedJpaMessage{messageId=" + messageId.serialize() + ", mailboxId=" + getMailboxId().serialize()
            + ", uid=" + getUid().asLong() + "}";
    }
}
