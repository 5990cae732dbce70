package org.postino.server.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.List;

import javax.mail.Flags;
import javax.persistence.EntityManagerFactory;

import org.apache.james.core.Username;
import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.FlagsBuilder;
import org.apache.james.mailbox.MessageManager;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.model.MailboxPath;
import org.apache.james.mailbox.model.MessageId;
import org.apache.james.mailbox.model.MessageRange;
import org.apache.james.mailbox.model.ThreadId;
import org.apache.james.mailbox.model.UidValidity;
import org.apache.james.mailbox.model.UpdatedFlags;
import org.apache.james.mailbox.store.FlagsUpdateCalculator;
import org.apache.james.mailbox.store.mail.MessageMapper;
import org.apache.james.mailbox.store.mail.model.impl.PropertyBuilder;
import org.apache.james.mailbox.store.mail.model.impl.SimpleMailboxMessage;
import org.apache.james.mailbox.model.ByteContent;
import org.apache.james.utils.UpdatableTickingClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.google.common.collect.ImmutableList;

/** A flag update over more messages than one chunk reads at once: every message is changed, once, in uid order. */
class LargeFlagUpdateTest {
    private static final EntityManagerFactory DATABASE = MailboxTestDatabase.create("largeFlagUpdate");

    /** More messages than two chunks. */
    private final int count = PostinoJpaMessageMapper.FLAG_CHUNK * 2 + 37;
    private final JpaMapperProvider provider = new JpaMapperProvider(DATABASE, new UpdatableTickingClock(Instant.now()));
    private final MessageMapper messages = provider.createMessageMapper();

    @AfterEach
    void emptyDatabase() {
        MailboxTestDatabase.clear(DATABASE);
    }

    @Test
    void clearingRecentOnMoreThanTwoChunksOfAMailboxUpdatesEveryMessageOnce() throws Exception {
        Mailbox inbox = inbox(42);
        fill(inbox, i -> new Flags(Flags.Flag.RECENT));
        assertThat(messages.findRecentMessageUidsInMailbox(inbox)).hasSize(count);

        List<UpdatedFlags> updated = ImmutableList.copyOf(messages.updateFlags(inbox,
            new FlagsUpdateCalculator(new Flags(Flags.Flag.RECENT), MessageManager.FlagsUpdateMode.REMOVE), MessageRange.all()));

        assertThat(updated).hasSize(count);
        assertThat(updated).extracting(flags -> flags.getUid().asLong()).isSorted().doesNotHaveDuplicates();
        assertThat(updated).allSatisfy(flags -> assertThat(flags.getNewFlags().contains(Flags.Flag.RECENT)).isFalse());
        // each chunk is a transaction of its own, with its own modseq, growing with the uids
        assertThat(updated.stream().map(UpdatedFlags::getModSeq).distinct()).as("one modseq per chunk").hasSize(3);
        assertThat(updated).extracting(UpdatedFlags::getModSeq).isSorted();
        assertThat(messages.findRecentMessageUidsInMailbox(inbox)).isEmpty();

        // a range that ends inside the mailbox stops there
        List<UpdatedFlags> seen = ImmutableList.copyOf(messages.updateFlags(inbox,
            new FlagsUpdateCalculator(new FlagsBuilder().add(Flags.Flag.SEEN).build(), MessageManager.FlagsUpdateMode.ADD),
            MessageRange.range(updated.get(10).getUid(), updated.get(PostinoJpaMessageMapper.FLAG_CHUNK + 20).getUid())));
        assertThat(seen).hasSize(PostinoJpaMessageMapper.FLAG_CHUNK + 11);
        assertThat(messages.getMailboxCounters(inbox).getCount()).isEqualTo(count);
    }

    @Test
    void resettingRecentOnMoreThanTwoChunksReportsEveryRecentMessageOnceAndKeepsOtherFlags() throws Exception {
        Mailbox inbox = inbox(44);
        // every third message is not recent; every fifth is seen and tagged
        fill(inbox, i -> {
            Flags flags = i % 3 == 0 ? new Flags() : new Flags(Flags.Flag.RECENT);
            if (i % 5 == 0) {
                flags.add(Flags.Flag.SEEN);
                flags.add("tag" + i);
            }
            return flags;
        });
        List<MessageUid> recent = messages.findRecentMessageUidsInMailbox(inbox);

        List<UpdatedFlags> updated = messages.resetRecent(inbox);

        assertThat(updated).extracting(UpdatedFlags::getUid).containsExactlyElementsOf(recent);
        assertThat(updated).allSatisfy(flags -> {
            assertThat(flags.getOldFlags().contains(Flags.Flag.RECENT)).isTrue();
            assertThat(flags.getNewFlags().contains(Flags.Flag.RECENT)).isFalse();
            javax.mail.Flags kept = new javax.mail.Flags(flags.getOldFlags());
            kept.remove(Flags.Flag.RECENT);
            assertThat(flags.getNewFlags()).isEqualTo(kept);
            assertThat(flags.getMessageId()).isPresent();
        });
        assertThat(updated).filteredOn(flags -> flags.getOldFlags().contains(Flags.Flag.SEEN))
            .allSatisfy(flags -> assertThat(flags.getNewFlags().getUserFlags()).hasSize(1));
        assertThat(updated.stream().map(UpdatedFlags::getModSeq).distinct()).as("a modseq per chunk").hasSize(2);
        assertThat(messages.findRecentMessageUidsInMailbox(inbox)).isEmpty();
        assertThat(messages.resetRecent(inbox)).isEmpty();
        // what is stored says the same, read back through entities
        assertThat(ImmutableList.copyOf(messages.findInMailbox(inbox, MessageRange.all(), MessageMapper.FetchType.METADATA, -1)))
            .hasSize(count)
            .allSatisfy(message -> assertThat(message.createFlags().contains(Flags.Flag.RECENT)).isFalse());
    }

    @Test
    void aChunkThatFailsLeavesTheChunksBeforeItDoneAndItsOwnUntouched() throws Exception {
        Mailbox inbox = inbox(43);
        int poisoned = PostinoJpaMessageMapper.FLAG_CHUNK * 2 + 5;
        fill(inbox, i -> {
            Flags flags = new Flags(Flags.Flag.RECENT);
            if (i == poisoned) {
                flags.add("poison");
            }
            return flags;
        });
        FlagsUpdateCalculator failingOnPoison = new FlagsUpdateCalculator(new Flags(Flags.Flag.RECENT), MessageManager.FlagsUpdateMode.REMOVE) {
            @Override
            public Flags buildNewFlags(Flags oldFlags) {
                if (oldFlags.contains("poison")) {
                    throw new IllegalStateException("poisoned message");
                }
                return super.buildNewFlags(oldFlags);
            }
        };

        assertThatThrownBy(() -> messages.updateFlags(inbox, failingOnPoison, MessageRange.all()))
            .hasMessageContaining("poisoned message");

        // the two chunks before the failing one were committed; the failing one was rolled back whole
        assertThat(messages.findRecentMessageUidsInMailbox(inbox)).hasSize(count - PostinoJpaMessageMapper.FLAG_CHUNK * 2);
    }

    private Mailbox inbox(int uidValidity) {
        return provider.createMailboxMapper().create(MailboxPath.forUser(Username.of("bulk"), "INBOX"), UidValidity.of(uidValidity)).block();
    }

    private void fill(Mailbox inbox, java.util.function.IntFunction<Flags> flagsOf) throws Exception {
        for (int i = 0; i < count; i++) {
            MessageId id = provider.generateMessageId();
            String header = "Subject: bulk " + i + "\r\n\r\n";
            byte[] content = (header + "body " + i + "\r\n").getBytes(StandardCharsets.US_ASCII);
            messages.add(inbox, new SimpleMailboxMessage(id, ThreadId.fromBaseMessageId(id), new Date(), content.length,
                header.length(), new ByteContent(content), flagsOf.apply(i), new PropertyBuilder().build(), inbox.getMailboxId()));
        }
    }
}
