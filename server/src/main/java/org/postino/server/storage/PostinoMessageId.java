package org.postino.server.storage;

import java.util.Objects;
import java.util.UUID;

import org.apache.james.mailbox.model.MessageId;

/**
 * A message id that can be written down and compared: a random UUID.
 *
 * <p>James's JPA mailbox comes with {@code DefaultMessageId}, which is only a placeholder: it cannot be
 * serialized, parsed back, compared or hashed (those methods throw), so nothing can find a message by
 * it. Postino binds this type instead; {@link MessageIdTable} stores it next to each message.
 */
public final class PostinoMessageId implements MessageId {

    /** Makes new ids and reads stored ones back. */
    public static class Factory implements MessageId.Factory {
        @Override
        public PostinoMessageId fromString(String serialized) {
            return new PostinoMessageId(UUID.fromString(serialized));
        }

        @Override
        public PostinoMessageId generate() {
            return new PostinoMessageId(UUID.randomUUID());
        }
    }

    private final UUID uuid;

    private PostinoMessageId(UUID uuid) {
        this.uuid = Objects.requireNonNull(uuid);
    }

    public static PostinoMessageId of(UUID uuid) {
        return new PostinoMessageId(uuid);
    }

    @Override
    public String serialize() {
        return uuid.toString();
    }

    @Override
    public boolean isSerializable() {
        return true;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof PostinoMessageId && uuid.equals(((PostinoMessageId) other).uuid);
    }

    @Override
    public int hashCode() {
        return uuid.hashCode();
    }

    @Override
    public String toString() {
        return "PostinoMessageId{" + uuid + "}";
    }
}
