package org.postino.server.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import javax.mail.Flags;
import javax.persistence.EntityManagerFactory;

import org.apache.james.core.Username;
import org.apache.james.mailbox.ModSeq;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.model.MailboxPath;
import org.apache.james.mailbox.model.MessageId;
import org.apache.james.mailbox.model.MessageMetaData;
import org.apache.james.mailbox.model.MessageRange;
import org.apache.james.mailbox.model.ThreadId;
import org.apache.james.mailbox.model.UidValidity;
import org.apache.james.mailbox.model.UpdatedFlags;
import org.apache.james.mailbox.store.mail.MessageMapper;
import org.apache.james.mailbox.store.mail.model.MailboxMessage;
import org.apache.james.mailbox.store.mail.model.impl.PropertyBuilder;
import org.apache.james.mailbox.store.mail.model.impl.SimpleMailboxMessage;
import org.apache.james.mailbox.model.ByteContent;
import org.apache.james.utils.UpdatableTickingClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.google.common.collect.ImmutableList;

/** Clearing \Recent (the first SELECT after delivery) reports every recent message, its other flags kept, and changes nothing else. */
class ResetRecentTest {
    private static final EntityManagerFactory DATABASE = MailboxTestDatabase.create("resetRecent");

    @AfterEach
    void emptyDatabase() {
        MailboxTestDatabase.clear(DATABASE);
    }

    @Test
    void resetRecentClearsOnlyRecentMessagesAndKeepsTheirOtherFlags() throws Exception {
        JpaMapperProvider provider = new JpaMapperProvider(DATABASE, new UpdatableTickingClock(Instant.now()));
        Mailbox inbox = provider.createMailboxMapper().create(MailboxPath.forUser(Username.of("reader"), "INBOX"), UidValidity.of(7)).block();
        Mailbox other = provider.createMailboxMapper().create(MailboxPath.forUser(Username.of("reader"), "Other"), UidValidity.of(8)).block();
        MessageMapper messages = provider.createMessageMapper();
        Flags recentSeenTagged = new Flags(Flags.Flag.RECENT);
        recentSeenTagged.add(Flags.Flag.SEEN);
        recentSeenTagged.add("$Label1");
        recentSeenTagged.add("work");
        Flags recentFlaggedDeleted = new Flags(Flags.Flag.RECENT);
        recentFlaggedDeleted.add(Flags.Flag.FLAGGED);
        recentFlaggedDeleted.add(Flags.Flag.DELETED);
        recentFlaggedDeleted.add(Flags.Flag.ANSWERED);
        recentFlaggedDeleted.add(Flags.Flag.DRAFT);
        Flags oldTagged = new Flags("kept");

        MessageMetaData a = add(provider, messages, inbox, new Flags(Flags.Flag.RECENT));
        MessageMetaData b = add(provider, messages, inbox, oldTagged);
        MessageMetaData c = add(provider, messages, inbox, recentSeenTagged);
        MessageMetaData d = add(provider, messages, inbox, recentFlaggedDeleted);
        MessageMetaData elsewhere = add(provider, messages, other, new Flags(Flags.Flag.RECENT));
        ModSeq before = messages.getHighestModSeq(inbox);

        List<UpdatedFlags> updated = messages.resetRecent(inbox);

        assertThat(updated).extracting(UpdatedFlags::getUid).containsExactly(a.getUid(), c.getUid(), d.getUid());
        Map<Long, UpdatedFlags> byUid = updated.stream().collect(Collectors.toMap(u -> u.getUid().asLong(), Function.identity()));
        assertThat(byUid.get(c.getUid().asLong()).getOldFlags()).isEqualTo(recentSeenTagged);
        assertThat(byUid.get(c.getUid().asLong()).getNewFlags()).isEqualTo(without(recentSeenTagged));
        assertThat(byUid.get(d.getUid().asLong()).getOldFlags()).isEqualTo(recentFlaggedDeleted);
        assertThat(byUid.get(d.getUid().asLong()).getNewFlags()).isEqualTo(without(recentFlaggedDeleted));
        assertThat(byUid.get(a.getUid().asLong()).getNewFlags()).isEqualTo(new Flags());
        assertThat(updated).extracting(UpdatedFlags::getMessageId)
            .containsExactly(java.util.Optional.of(a.getMessageId()), java.util.Optional.of(c.getMessageId()), java.util.Optional.of(d.getMessageId()));
        assertThat(updated).allSatisfy(u -> assertThat(u.getModSeq()).isGreaterThan(before));

        // what is stored says the same, read back through the entities
        Map<Long, MailboxMessage> stored = ImmutableList.copyOf(messages.findInMailbox(inbox, MessageRange.all(), MessageMapper.FetchType.METADATA, -1))
            .stream().collect(Collectors.toMap(m -> m.getUid().asLong(), Function.identity()));
        assertThat(stored.get(c.getUid().asLong()).createFlags()).isEqualTo(without(recentSeenTagged));
        assertThat(stored.get(d.getUid().asLong()).createFlags()).isEqualTo(without(recentFlaggedDeleted));
        assertThat(stored.get(b.getUid().asLong()).createFlags()).isEqualTo(oldTagged);
        assertThat(stored.get(b.getUid().asLong()).getModSeq()).isEqualTo(b.getModSeq());
        assertThat(stored.get(a.getUid().asLong()).getModSeq()).isEqualTo(updated.get(0).getModSeq());
        assertThat(messages.getHighestModSeq(inbox)).isEqualTo(updated.stream().map(UpdatedFlags::getModSeq).max(ModSeq::compareTo).get());
        assertThat(messages.findRecentMessageUidsInMailbox(inbox)).isEmpty();
        assertThat(messages.findRecentMessageUidsInMailbox(other)).containsExactly(elsewhere.getUid());

        assertThat(messages.resetRecent(inbox)).as("nothing left to clear").isEmpty();
    }

    private static Flags without(Flags flags) {
        Flags result = new Flags(flags);
        result.remove(Flags.Flag.RECENT);
        return result;
    }

    private static MessageMetaData add(JpaMapperProvider provider, MessageMapper messages, Mailbox mailbox, Flags flags) throws Exception {
        MessageId id = provider.generateMessageId();
        String header = "Subject: recent\r\n\r\n";
        byte[] content = (header + "body\r\n").getBytes(StandardCharsets.US_ASCII);
        return messages.add(mailbox, new SimpleMailboxMessage(id, ThreadId.fromBaseMessageId(id), new Date(), content.length,
            header.length(), new ByteContent(content), flags, new PropertyBuilder().build(), mailbox.getMailboxId()));
    }
}
