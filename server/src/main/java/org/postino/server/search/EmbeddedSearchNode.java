package org.postino.server.search;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.postino.extensions.search.SearchSettings;
import org.postino.extensions.search.embedded.EmbeddedOpenSearch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the distribution's search index lives: the operator's OpenSearch cluster when
 * {@code opensearch.hosts} names one, otherwise an OpenSearch node of its own, started in a
 * separate process (its libraries stay out of James's class path) with its data under the data
 * directory, bound to loopback. The node starts in the background while the rest of the server
 * starts; mail is accepted and delivered meanwhile and indexed once the node is up.
 */
public final class EmbeddedSearchNode implements AutoCloseable {
    private static final Logger LOGGER = LoggerFactory.getLogger(EmbeddedSearchNode.class);

    private final CompletableFuture<List<URI>> hosts;
    private final EmbeddedOpenSearch node;

    private EmbeddedSearchNode(CompletableFuture<List<URI>> hosts, EmbeddedOpenSearch node) {
        this.hosts = hosts;
        this.node = node;
    }

    public static EmbeddedSearchNode start(SearchSettings settings, Path home, Path dataDirectory) {
        if (!settings.embedded()) {
            return new EmbeddedSearchNode(CompletableFuture.completedFuture(settings.hosts()), null);
        }
        Path lib = nodeLibraries(home);
        if (!Files.isDirectory(lib)) {
            throw new IllegalStateException("the embedded OpenSearch node's libraries are missing from " + lib
                + " (set opensearch.hosts in conf/opensearch.properties to use a cluster instead)");
        }
        EmbeddedOpenSearch node = EmbeddedOpenSearch.builder()
            .libDirectory(lib)
            .dataDirectory(dataDirectory.resolve("opensearch"))
            .port(settings.embeddedPort())
            .heap(settings.embeddedHeap())
            .build();
        CompletableFuture<List<URI>> hosts = CompletableFuture.supplyAsync(() -> {
            try {
                return List.of(node.start());
            } catch (RuntimeException e) {
                LOGGER.error("The embedded OpenSearch node did not start; mail is still accepted and delivered, but"
                    + " search answers NO until it runs: {}", e.getMessage());
                throw e;
            }
        }, runnable -> {
            Thread thread = new Thread(runnable, "postino-opensearch-start");
            thread.setDaemon(true);
            thread.start();
        });
        return new EmbeddedSearchNode(hosts, node);
    }

    /** lib/opensearch next to the jar this class came from (the installation's lib/), else under the home. */
    static Path nodeLibraries(Path home) {
        try {
            Path jar = Path.of(EmbeddedSearchNode.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path beside = jar.getParent().resolve("opensearch");
            if (Files.isRegularFile(jar) && Files.isDirectory(beside)) {
                return beside;
            }
        } catch (Exception e) {
            // no code source (tests): fall back to the home
        }
        return home.resolve("lib").resolve("opensearch");
    }

    public CompletableFuture<List<URI>> hosts() {
        return hosts;
    }

    @Override
    public void close() {
        if (node != null) {
            node.stop();
        }
    }
}
