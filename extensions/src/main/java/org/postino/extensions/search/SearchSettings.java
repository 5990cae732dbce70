package org.postino.extensions.search;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * How mailbox search runs: which backend, which OpenSearch (an operator's cluster, or the embedded
 * node when none is named), the index and the catch-up period. Parsed from
 * {@code conf/opensearch.properties} by the distribution.
 */
public record SearchSettings(Backend backend,
                             List<URI> hosts,
                             Optional<String> user,
                             Optional<String> password,
                             String indexName,
                             int shards,
                             int replicas,
                             Duration connectTimeout,
                             Duration requestTimeout,
                             Duration catchUpPeriod,
                             String embeddedHeap,
                             int embeddedPort,
                             Path backlogFile) {

    public enum Backend {
        /** Postino's OpenSearch index (the default). */
        OPENSEARCH,
        /** James's scanning search: reads every message of the mailbox on every search; no index. */
        SCANNING
    }

    public boolean embedded() {
        return backend == Backend.OPENSEARCH && hosts.isEmpty();
    }
}
