package org.postino.server.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringReader;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;

import org.junit.jupiter.api.Test;
import org.postino.extensions.search.SearchSettings;
import org.postino.server.config.ConfigurationError;
import org.postino.server.config.StrictProperties;

class SearchConfigurationTest {
    private static final Path DATA = Path.of("/var/postino");

    private static SearchSettings parse(String text) throws Exception {
        Properties properties = new Properties();
        properties.load(new StringReader(text));
        return SearchConfiguration.parse(new StrictProperties("opensearch.properties", properties), DATA);
    }

    @Test
    void emptyFileMeansTheEmbeddedNode() throws Exception {
        SearchSettings settings = parse("");
        assertThat(settings.embedded()).isTrue();
        assertThat(settings.backend()).isEqualTo(SearchSettings.Backend.OPENSEARCH);
        assertThat(settings.indexName()).isEqualTo("postino-mail");
        assertThat(settings.replicas()).isZero();
        assertThat(settings.embeddedHeap()).isEqualTo("512m");
        assertThat(settings.backlogFile()).isEqualTo(DATA.resolve("search/backlog"));
    }

    @Test
    void aClusterWithCredentialsOverHttps() throws Exception {
        SearchSettings settings = parse("opensearch.hosts=https://a.example:9200, https://b.example:9201\n"
            + "opensearch.user=postino\nopensearch.password=secret\nopensearch.replicas=1\nopensearch.requestTimeoutSeconds=10\n");
        assertThat(settings.embedded()).isFalse();
        assertThat(settings.hosts()).containsExactly(URI.create("https://a.example:9200"), URI.create("https://b.example:9201"));
        assertThat(settings.user()).contains("postino");
        assertThat(settings.replicas()).isEqualTo(1);
        assertThat(settings.requestTimeout()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void scanningBackend() throws Exception {
        assertThat(parse("search.backend=scanning\n").backend()).isEqualTo(SearchSettings.Backend.SCANNING);
    }

    @Test
    void badValuesNameFileKeyAndValue() {
        for (List<String> bad : List.of(
            List.of("opensearch.hosts=ftp://a.example:21", "opensearch.hosts", "ftp://a.example:21"),
            List.of("opensearch.hosts=http://a.example", "opensearch.hosts", "http://a.example"),
            List.of("search.backend=lucene", "search.backend", "lucene"),
            List.of("opensearch.index=Mail Index", "opensearch.index", "Mail Index"),
            List.of("embedded.heap=lots", "embedded.heap", "lots"),
            List.of("opensearch.replicas=-1", "opensearch.replicas", "-1"),
            List.of("opensearch.hots=http://a:1", "opensearch.hots", "http://a:1"))) {
            assertThatThrownBy(() -> parse(bad.get(0) + "\n"))
                .as(bad.get(0))
                .isInstanceOf(ConfigurationError.class)
                .hasMessageContaining("opensearch.properties")
                .hasMessageContaining(bad.get(1))
                .hasMessageContaining(bad.get(2));
        }
    }

    @Test
    void credentialsAreNotSentInClear() {
        assertThatThrownBy(() -> parse("opensearch.hosts=http://a.example:9200\nopensearch.user=u\nopensearch.password=p\n"))
            .isInstanceOf(ConfigurationError.class)
            .hasMessageContaining("opensearch.hosts")
            .hasMessageContaining("https");
    }
}
