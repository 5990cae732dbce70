package org.postino.server.search;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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

    private static final Duration CHECK = Duration.ofSeconds(2);
    private static final Duration FIRST_RETRY = Duration.ofSeconds(5);
    private static final Duration LAST_RETRY = Duration.ofMinutes(1);

    private final CompletableFuture<List<URI>> hosts;
    private volatile EmbeddedOpenSearch node;
    private volatile boolean closing;
    private Thread watcher;

    private EmbeddedSearchNode(CompletableFuture<List<URI>> hosts, EmbeddedOpenSearch node) {
        this.hosts = hosts;
        this.node = node;
    }

    /**
     * Restarts the node when it dies (crash, out of memory, killed), on the same port and data, so
     * the server's index client finds it where it was; waits longer between attempts that fail.
     */
    private void watch(SearchSettings settings, Path lib, Path data, URI uri) {
        watcher = new Thread(() -> {
            Duration wait = FIRST_RETRY;
            while (!closing) {
                try {
                    Thread.sleep(CHECK.toMillis());
                    if (closing || node.isAlive()) {
                        wait = FIRST_RETRY;
                        continue;
                    }
                    LOGGER.warn("The embedded OpenSearch node stopped; restarting it in {} s (mail is still delivered,"
                        + " searches answer NO meanwhile, the index catches up afterwards)", wait.toSeconds());
                    Thread.sleep(wait.toMillis());
                    if (closing) {
                        return;
                    }
                    node = builder(settings, lib, data).port(uri.getPort()).build();
                    node.start();
                    LOGGER.info("The embedded OpenSearch node runs again at {}", uri);
                    wait = FIRST_RETRY;
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException e) {
                    LOGGER.error("The embedded OpenSearch node did not restart: {}", e.getMessage());
                    wait = wait.multipliedBy(2).compareTo(LAST_RETRY) > 0 ? LAST_RETRY : wait.multipliedBy(2);
                }
            }
        }, "postino-opensearch-watch");
        watcher.setDaemon(true);
        watcher.start();
    }

    private static EmbeddedOpenSearch.Builder builder(SearchSettings settings, Path lib, Path data) {
        return EmbeddedOpenSearch.builder()
            .libDirectory(lib)
            .dataDirectory(data)
            .heap(settings.embeddedHeap());
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
        Path data = dataDirectory.resolve("opensearch");
        EmbeddedOpenSearch node = builder(settings, lib, data).port(settings.embeddedPort()).build();
        CompletableFuture<List<URI>> hosts = new CompletableFuture<>();
        EmbeddedSearchNode result = new EmbeddedSearchNode(hosts, node);
        Thread starter = new Thread(() -> {
            try {
                URI uri = node.start();
                result.watch(settings, lib, data, uri);
                hosts.complete(List.of(uri));
            } catch (RuntimeException e) {
                LOGGER.error("The embedded OpenSearch node did not start; mail is still accepted and delivered, but"
                    + " search answers NO until it runs: {}", e.getMessage());
                hosts.completeExceptionally(e);
            }
        }, "postino-opensearch-start");
        starter.setDaemon(true);
        starter.start();
        return result;
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
        closing = true;
        if (watcher != null) {
            watcher.interrupt();
        }
        if (node != null) {
            node.stop();
        }
    }
}
