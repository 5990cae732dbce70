package org.postino.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

import org.apache.james.mailbox.MessageIdManager;
import org.apache.james.mailbox.RightManager;
import org.apache.james.mailbox.jpa.JPAMailboxSessionMapperFactory;
import org.apache.james.mailbox.model.MessageId;
import org.apache.james.mailbox.store.MailboxSessionMapperFactory;
import org.apache.james.mailbox.store.StoreMessageIdManager;
import org.apache.james.mailbox.store.StoreRightManager;
import org.junit.jupiter.api.Test;
import org.postino.server.storage.DatabaseConfiguration;
import org.postino.server.storage.PostinoJpaMailboxSessionMapperFactory;
import org.postino.server.storage.PostinoMessageId;

import com.google.inject.Binding;
import com.google.inject.Key;
import com.google.inject.spi.Element;
import com.google.inject.spi.Elements;
import com.google.inject.spi.LinkedKeyBinding;
import com.google.inject.util.Modules;

/** What the distribution's modules bind for messages by id (read from the modules, nothing is started). */
class PostinoModulesTest {

    private final List<Element> elements = Elements.getElements(Modules.combine(
        PostinoModules.core(DatabaseConfiguration.defaults(Path.of("/srv/postino/var"))),
        PostinoModules.protocols(),
        PostinoModules.webAdmin()));

    @Test
    void messageIdManagerShouldBeJamesStoreOne() {
        assertThat(targetsOf(MessageIdManager.class)).containsExactly(Key.get(StoreMessageIdManager.class));
        assertThat(targetsOf(RightManager.class)).containsExactly(Key.get(StoreRightManager.class));
    }

    @Test
    void mapperFactoryShouldBePostinosEverywhereJamesOneWasAskedFor() {
        assertThat(targetsOf(MailboxSessionMapperFactory.class)).containsExactly(Key.get(PostinoJpaMailboxSessionMapperFactory.class));
        assertThat(targetsOf(JPAMailboxSessionMapperFactory.class)).containsExactly(Key.get(PostinoJpaMailboxSessionMapperFactory.class));
    }

    @Test
    void messageIdsShouldBeStorable() {
        assertThat(targetsOf(MessageId.Factory.class)).containsExactly(Key.get(PostinoMessageId.Factory.class));
    }

    private List<Key<?>> targetsOf(Class<?> type) {
        return elements.stream()
            .filter(element -> element instanceof Binding && ((Binding<?>) element).getKey().equals(Key.get(type)))
            .map(element -> element instanceof LinkedKeyBinding ? ((LinkedKeyBinding<?>) element).getLinkedKey() : null)
            .collect(Collectors.toList());
    }
}
