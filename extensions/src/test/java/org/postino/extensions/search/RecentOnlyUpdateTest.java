package org.postino.extensions.search;

import static org.assertj.core.api.Assertions.assertThat;

import javax.mail.Flags;

import org.apache.james.mailbox.FlagsBuilder;
import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.ModSeq;
import org.apache.james.mailbox.model.UpdatedFlags;
import org.junit.jupiter.api.Test;

/** Which flag updates the index does not write at all: those that only change \Recent (searches ask the store for it). */
class RecentOnlyUpdateTest {

    @Test
    void onlyAnUpdateThatChangesNothingButRecentCountsAsRecentOnly() {
        UpdatedFlags recentOnly = UpdatedFlags.builder().uid(MessageUid.of(1)).modSeq(ModSeq.of(2))
            .oldFlags(new FlagsBuilder().add(Flags.Flag.RECENT, Flags.Flag.SEEN).add("work").build())
            .newFlags(new FlagsBuilder().add(Flags.Flag.SEEN).add("work").build()).build();
        UpdatedFlags seenToo = UpdatedFlags.builder().uid(MessageUid.of(1)).modSeq(ModSeq.of(2))
            .oldFlags(new Flags(Flags.Flag.RECENT)).newFlags(new Flags(Flags.Flag.SEEN)).build();
        UpdatedFlags keyword = UpdatedFlags.builder().uid(MessageUid.of(1)).modSeq(ModSeq.of(2))
            .oldFlags(new Flags(Flags.Flag.RECENT)).newFlags(new Flags("work")).build();

        assertThat(PostinoSearchIndex.onlyRecentChanged(recentOnly)).isTrue();
        assertThat(PostinoSearchIndex.onlyRecentChanged(seenToo)).isFalse();
        assertThat(PostinoSearchIndex.onlyRecentChanged(keyword)).isFalse();
    }
}
