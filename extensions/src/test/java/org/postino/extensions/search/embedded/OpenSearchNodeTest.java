package org.postino.extensions.search.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import org.junit.jupiter.api.Test;

class OpenSearchNodeTest {

    @Test
    void oneNodePerTestJvmAnsweringOnLoopback() throws Exception {
        URI uri = OpenSearchNode.uri();

        assertThat(OpenSearchNode.uri()).isEqualTo(uri);
        assertThat(uri.getHost()).isEqualTo("127.0.0.1");
        HttpResponse<String> health = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(uri.resolve("/_cluster/health")).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).contains("\"cluster_name\":\"postino\"").contains("\"number_of_nodes\":1");
    }
}
