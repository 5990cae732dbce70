package org.postino.extensions.search;

import java.net.URI;
import java.util.List;
import java.util.UUID;

import org.postino.extensions.search.text.PostinoTextExtractor;

/** A fresh, empty mail index on the test JVM's OpenSearch node. */
final class SearchTestIndex {
    private SearchTestIndex() {
    }

    static URI node() {
        return org.postino.extensions.search.embedded.OpenSearchNode.uri();
    }

    static MailIndexClient fresh() throws Exception {
        MailIndexClient client = new MailIndexClient(List.of(node()), null, null,
            "test-" + UUID.randomUUID(), 5_000, 30_000);
        client.ensureIndex(1, 0);
        return client;
    }

    static MailDocument documents() {
        return new MailDocument(new PostinoTextExtractor());
    }
}
