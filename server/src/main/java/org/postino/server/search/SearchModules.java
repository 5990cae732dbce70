package org.postino.server.search;

import org.apache.james.mailbox.extractor.TextExtractor;
import org.apache.james.mailbox.indexer.ReIndexer;
import org.apache.james.mailbox.store.search.MessageSearchIndex;
import org.apache.james.modules.server.ReIndexingModule;
import org.apache.james.modules.server.WebAdminReIndexingTaskSerializationModule;
import org.apache.mailbox.tools.indexer.ReIndexerImpl;
import org.postino.extensions.search.PostinoSearchModule;
import org.postino.extensions.search.SearchSettings;
import org.postino.extensions.search.text.PostinoTextExtractor;

import com.google.inject.Module;
import com.google.inject.Scopes;
import com.google.inject.util.Modules;

/** The search wiring the configuration asks for. */
public final class SearchModules {
    private SearchModules() {
    }

    public static Module of(SearchSettings settings, EmbeddedSearchNode node) {
        if (settings.backend() == SearchSettings.Backend.SCANNING) {
            return binder -> {
                binder.bind(TextExtractor.class).toInstance(new PostinoTextExtractor());
                binder.bind(BoundedScanningSearchIndex.class).in(Scopes.SINGLETON);
                binder.bind(MessageSearchIndex.class).to(BoundedScanningSearchIndex.class);
            };
        }
        return Modules.combine(
            new PostinoSearchModule(settings, node.hosts()),
            // WebAdmin: POST /mailboxes?task=reIndex, /users/{user}/mailboxes?task=reIndex, /mailboxes/{id}?task=reIndex
            new ReIndexingModule(),
            new WebAdminReIndexingTaskSerializationModule(),
            binder -> {
                binder.bind(ReIndexerImpl.class).in(Scopes.SINGLETON);
                binder.bind(ReIndexer.class).to(ReIndexerImpl.class);
            });
    }
}
