package org.postino.server.jmap;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.james.jmap.api.model.Preview;
import org.apache.james.jmap.api.projections.MessageFastViewPrecomputedProperties;
import org.junit.jupiter.api.Test;
import org.postino.server.storage.PostinoMessageId;

import reactor.core.publisher.Mono;

class BoundedMessageFastViewProjectionTest {
    private static final PostinoMessageId.Factory IDS = new PostinoMessageId.Factory();
    private static final MessageFastViewPrecomputedProperties PREVIEW = MessageFastViewPrecomputedProperties.builder()
        .preview(Preview.from("Ciao Alice, ti mando i messaggi")).hasAttachment(false).build();

    @Test
    void storedPreviewsAreFoundUntilDeletedOrPushedOut() {
        BoundedMessageFastViewProjection projection = new BoundedMessageFastViewProjection(2);
        PostinoMessageId first = IDS.generate();
        PostinoMessageId second = IDS.generate();
        PostinoMessageId third = IDS.generate();

        Mono.from(projection.store(first, PREVIEW)).block();
        assertThat(Mono.from(projection.retrieve(first)).block()).isEqualTo(PREVIEW);
        Mono.from(projection.delete(first)).block();
        assertThat(Mono.from(projection.retrieve(first)).blockOptional()).isEmpty();

        Mono.from(projection.store(first, PREVIEW)).block();
        Mono.from(projection.store(second, PREVIEW)).block();
        Mono.from(projection.store(third, PREVIEW)).block();
        long kept = java.util.stream.Stream.of(first, second, third)
            .filter(id -> Mono.from(projection.retrieve(id)).blockOptional().isPresent()).count();
        assertThat(kept).isEqualTo(2);
        assertThat(Mono.from(projection.retrieve(third)).block()).isEqualTo(PREVIEW);
    }
}
