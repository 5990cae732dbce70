package org.postino.server.jmap;

import java.util.Objects;

import org.apache.james.jmap.api.projections.MessageFastViewPrecomputedProperties;
import org.apache.james.jmap.api.projections.MessageFastViewProjection;
import org.apache.james.mailbox.model.MessageId;
import org.reactivestreams.Publisher;

import com.google.common.cache.Cache;
import com.google.common.cache.CacheBuilder;

import reactor.core.publisher.Mono;

/**
 * The previews JMAP shows in message lists ({@code preview}, {@code hasAttachment}), computed once per message and
 * kept for the most recently used messages only. James's in-memory projection keeps one entry per message ever
 * delivered, a heap that grows without end; a miss here only means James computes the preview again from the
 * message.
 */
public class BoundedMessageFastViewProjection implements MessageFastViewProjection {

    private final Cache<MessageId, MessageFastViewPrecomputedProperties> entries;

    public BoundedMessageFastViewProjection(long maximumEntries) {
        this.entries = CacheBuilder.newBuilder().maximumSize(maximumEntries).build();
    }

    @Override
    public Publisher<Void> store(MessageId messageId, MessageFastViewPrecomputedProperties properties) {
        Objects.requireNonNull(messageId, "messageId");
        Objects.requireNonNull(properties, "properties");
        return Mono.fromRunnable(() -> entries.put(messageId, properties));
    }

    @Override
    public Publisher<MessageFastViewPrecomputedProperties> retrieve(MessageId messageId) {
        Objects.requireNonNull(messageId, "messageId");
        return Mono.fromCallable(() -> entries.getIfPresent(messageId));
    }

    @Override
    public Publisher<Void> delete(MessageId messageId) {
        Objects.requireNonNull(messageId, "messageId");
        return Mono.fromRunnable(() -> entries.invalidate(messageId));
    }

    @Override
    public Publisher<Void> clear() {
        return Mono.fromRunnable(entries::invalidateAll);
    }
}
