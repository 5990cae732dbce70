package org.postino.extensions.search.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A real OpenSearch node in its own JVM: version, analysis (Italian, English, folding), a refused second node on the
 * same data, and data kept across a restart. Two node starts in all (each ~5-10 s), plus one refused start.
 */
class EmbeddedOpenSearchTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Pattern TOKEN = Pattern.compile("\"token\"\\s*:\\s*\"([^\"]*)\"");

    private static final String INDEX_SETTINGS = "{\"settings\":{\"analysis\":{"
            + "\"filter\":{\"italian_light_stem\":{\"type\":\"stemmer\",\"language\":\"light_italian\"}},"
            + "\"analyzer\":{\"italian_folded\":{\"type\":\"custom\",\"tokenizer\":\"standard\","
            + "\"filter\":[\"lowercase\",\"asciifolding\",\"italian_light_stem\"]}}}},"
            + "\"mappings\":{\"properties\":{\"subject\":{\"type\":\"text\",\"analyzer\":\"italian_folded\"}}}}";

    private final List<EmbeddedOpenSearch> nodes = new ArrayList<>();

    @AfterEach
    void stopNodes() {
        nodes.forEach(EmbeddedOpenSearch::stop);
    }

    @Test
    void servesAnalyzesRefusesASecondNodeAndKeepsItsDataAcrossARestart() throws Exception {
        Path data = OpenSearchNode.newDataDirectory();
        EmbeddedOpenSearch first = node(data);
        URI uri = first.start();

        assertThat(first.isAlive()).isTrue();
        assertThat(uri.getHost()).isEqualTo("127.0.0.1");
        assertThat(uri.getPort()).isPositive();
        System.out.printf("OpenSearch node ready in %d ms, RSS %s (pid %d, heap 512m)%n",
                first.lastStartDuration().toMillis(), rss(first.pid()), first.pid());

        HttpResponse<String> root = get(uri, "/");
        assertThat(root.statusCode()).isEqualTo(200);
        assertThat(root.body()).containsPattern("\"number\"\\s*:\\s*\"2\\.19\\.\\d+\"");

        // an index with a custom analyzer: standard tokenizer, lowercase, asciifolding, light Italian stemmer
        HttpResponse<String> created = send(uri, "PUT", "/mail", INDEX_SETTINGS);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
        assertThat(tokens(uri, "/mail/_analyze", "\"analyzer\":\"italian_folded\"", "messaggi"))
                .containsExactly("messagg")
                .isEqualTo(tokens(uri, "/mail/_analyze", "\"analyzer\":\"italian_folded\"", "messaggio"));
        // folding makes the accent irrelevant; the stemmer then shortens both alike ("perc")
        assertThat(tokens(uri, "/mail/_analyze", "\"analyzer\":\"italian_folded\"", "perché"))
                .hasSize(1)
                .isEqualTo(tokens(uri, "/mail/_analyze", "\"analyzer\":\"italian_folded\"", "perche"));
        assertThat(tokens(uri, "/_analyze", "\"tokenizer\":\"standard\",\"filter\":[\"lowercase\",\"asciifolding\"]",
                "Perché")).containsExactly("perche");
        // the built-in language analyzers come with analysis-common
        assertThat(tokens(uri, "/_analyze", "\"analyzer\":\"english\"", "running messages"))
                .containsExactly("run", "messag");
        assertThat(tokens(uri, "/_analyze", "\"analyzer\":\"italian\"", "i messaggi della città"))
                .containsExactly("messagg", "città"); // no folding in the built-in one

        HttpResponse<String> indexed = send(uri, "PUT", "/mail/_doc/1?refresh=true",
                "{\"subject\":\"Perché i messaggi?\"}");
        assertThat(indexed.statusCode()).as(indexed.body()).isEqualTo(201);
        // one node: no replica to wait for, the index is green
        assertThat(get(uri, "/_cluster/health/mail").body()).contains("\"status\":\"green\"");

        // a second node on the same data directory is refused, clearly, and leaves the first one alone
        EmbeddedOpenSearch second = node(data);
        assertThatThrownBy(second::start)
                .isInstanceOf(EmbeddedOpenSearch.StartException.class)
                .hasMessageContaining("OpenSearch data directory " + data.toAbsolutePath() + " is already in use");
        assertThat(second.isAlive()).isFalse();
        assertThat(get(uri, "/mail/_count").body()).contains("\"count\":1");

        first.stop();
        assertThat(first.isAlive()).isFalse();
        assertThatThrownBy(() -> get(uri, "/")).isInstanceOf(IOException.class);

        EmbeddedOpenSearch restarted = node(data);
        URI again = restarted.start();
        System.out.printf("OpenSearch node restarted in %d ms%n", restarted.lastStartDuration().toMillis());
        assertThat(get(again, "/mail/_settings").body()).contains("light_italian");
        assertThat(get(again, "/mail/_count").body()).contains("\"count\":1");
        // found by another form of the word, without its accent
        assertThat(get(again, "/mail/_search?q=subject:messaggio").body()).contains("\"value\":1");
        assertThat(get(again, "/mail/_search?q=subject:perche").body()).contains("\"value\":1");
        assertThat(Files.readString(data.resolve("logs").resolve("opensearch.log")))
                .contains("OpenSearch node ready at " + again);
        restarted.stop();
        assertThat(restarted.isAlive()).isFalse();
    }

    @Test
    void aNodeThatExitsEarlyFailsTheStartWithItsLastWords() {
        EmbeddedOpenSearch refused = OpenSearchNode.builder(OpenSearchNode.newDataDirectory()).host("192.0.2.1").build();
        nodes.add(refused);

        assertThatThrownBy(refused::start)
                .isInstanceOf(EmbeddedOpenSearch.StartException.class)
                .hasMessageContaining("refused its command line")
                .hasMessageContaining("--host: must be a loopback address")
                .hasMessageContaining(refused.outputFile().toString());
        assertThat(refused.isAlive()).isFalse();
    }

    @Test
    void refusesWhatCannotWork() {
        assertThatThrownBy(() -> OpenSearchNode.builder(OpenSearchNode.newDataDirectory()).heap("lots").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("512m");
        EmbeddedOpenSearch noLibraries = EmbeddedOpenSearch.builder()
                .libDirectory(Path.of("target", "nowhere"))
                .dataDirectory(OpenSearchNode.newDataDirectory())
                .build();
        assertThatThrownBy(noLibraries::start)
                .isInstanceOf(EmbeddedOpenSearch.StartException.class)
                .hasMessageContaining("no OpenSearch node libraries");
    }

    private EmbeddedOpenSearch node(Path data) {
        EmbeddedOpenSearch node = OpenSearchNode.builder(data).build();
        nodes.add(node);
        return node;
    }

    private static List<String> tokens(URI uri, String path, String analysis, String text) throws Exception {
        HttpResponse<String> response = send(uri, "POST", path, "{" + analysis + ",\"text\":\"" + text + "\"}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        List<String> tokens = new ArrayList<>();
        Matcher matcher = TOKEN.matcher(response.body());
        while (matcher.find()) {
            tokens.add(matcher.group(1));
        }
        return tokens;
    }

    private static HttpResponse<String> get(URI uri, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(uri.resolve(path)).timeout(Duration.ofSeconds(30)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> send(URI uri, String method, String path, String json) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(uri.resolve(path))
                        .timeout(Duration.ofSeconds(30))
                        .header("Content-Type", "application/json")
                        .method(method, HttpRequest.BodyPublishers.ofString(json))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The resident set size of a process, from /proc (Linux); "unknown" elsewhere. */
    static String rss(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return line.substring("VmRSS:".length()).trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return "unknown";
    }
}
