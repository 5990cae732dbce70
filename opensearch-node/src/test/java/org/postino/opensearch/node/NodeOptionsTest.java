package org.postino.opensearch.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

class NodeOptionsTest {

    @Test
    void defaults() throws Exception {
        NodeOptions options = NodeOptions.parse("--data", "some/dir", "--port", "0");

        assertThat(options.dataDirectory).isEqualTo(Path.of("some/dir").toAbsolutePath().normalize());
        assertThat(options.port).isZero();
        assertThat(options.host).isEqualTo("127.0.0.1");
        assertThat(options.clusterName).isEqualTo("postino");
        assertThat(options.ignoreStdin).isFalse();
    }

    @Test
    void everything() throws Exception {
        NodeOptions options = NodeOptions.parse("--port", "9201", "--host", "::1", "--cluster", "mail-1",
                "--data", "/tmp/x", "--ignore-stdin");

        assertThat(options.port).isEqualTo(9201);
        assertThat(options.host).isEqualTo("::1");
        assertThat(options.clusterName).isEqualTo("mail-1");
        assertThat(options.ignoreStdin).isTrue();
    }

    @Test
    void badCommandLines() {
        assertRefused("--data is required", "--port", "1");
        assertRefused("--port is required", "--data", "d");
        assertRefused("--port: not a number: 'x'", "--data", "d", "--port", "x");
        assertRefused("--port: out of range", "--data", "d", "--port", "70000");
        assertRefused("--data needs a value", "--port", "1", "--data");
        assertRefused("unknown argument '--verbose'", "--data", "d", "--port", "1", "--verbose");
        assertRefused("--host: must be a loopback address", "--data", "d", "--port", "1", "--host", "192.0.2.1");
        assertRefused("--cluster: letters", "--data", "d", "--port", "1", "--cluster", "a b");
    }

    private static void assertRefused(String message, String... args) {
        assertThatThrownBy(() -> NodeOptions.parse(args))
                .isInstanceOf(NodeOptions.UsageException.class)
                .hasMessageContaining(message)
                .hasMessageNotContaining("\n");
    }
}
