package org.postino.extensions.search.embedded;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

/**
 * One real OpenSearch node per test JVM, in a JVM of its own, started on first use and stopped when the test JVM
 * exits. Its libraries are those the build unpacks into {@code target/opensearch-node/lib}; its data go under
 * {@code target/opensearch-test-data/<random>}. A node that cannot start fails the test that asked for it: search
 * tests are never skipped for want of OpenSearch.
 */
public final class OpenSearchNode {

    private static final String HEAP = "512m";

    private static EmbeddedOpenSearch node;
    private static AssertionError startFailure;

    private OpenSearchNode() {
    }

    /** The node's HTTP address, starting it if this is the first call in this JVM. */
    public static synchronized URI uri() {
        if (startFailure != null) {
            throw startFailure; // tried once already; ten tests need not wait ten times for the same failure
        }
        if (node == null) {
            EmbeddedOpenSearch starting = builder(newDataDirectory()).build();
            try {
                starting.start();
            } catch (RuntimeException e) {
                startFailure = new AssertionError("the test OpenSearch node did not start: " + e.getMessage(), e);
                throw startFailure;
            }
            node = starting; // EmbeddedOpenSearch's shutdown hook stops it with this JVM
        }
        return node.uri();
    }

    /** A launcher configured as the shared node is, for tests that need a node of their own. */
    public static EmbeddedOpenSearch.Builder builder(Path dataDirectory) {
        return EmbeddedOpenSearch.builder()
                .libDirectory(libDirectory())
                .dataDirectory(dataDirectory)
                .port(0)
                .heap(HEAP);
    }

    /** A fresh folder under target/opensearch-test-data/. */
    public static Path newDataDirectory() {
        return target().resolve("opensearch-test-data").resolve(UUID.randomUUID().toString());
    }

    static Path libDirectory() {
        Path lib = target().resolve("opensearch-node").resolve("lib");
        if (!Files.isDirectory(lib)) {
            throw new AssertionError(lib + " is missing: the Maven build unpacks the postino-opensearch-node dist zip there"
                    + " (generate-test-resources); run the tests through Maven with -am, e.g."
                    + " mvn -pl extensions -am verify");
        }
        return lib;
    }

    private static Path target() {
        return Path.of(System.getProperty("basedir", ".")).toAbsolutePath().normalize().resolve("target");
    }
}
