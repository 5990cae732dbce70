package org.postino.extensions.search.embedded;

import java.net.URI;

/** Placeholder until the embedded node launcher lands: fails loudly. */
public final class OpenSearchNode {
    private OpenSearchNode() {
    }

    public static URI uri() {
        throw new IllegalStateException("no embedded OpenSearch node yet: set POSTINO_TEST_OPENSEARCH");
    }
}
