package org.postino.extensions.search;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.apache.http.HttpHost;
import org.apache.http.auth.AuthScope;
import org.apache.http.auth.UsernamePasswordCredentials;
import org.apache.http.impl.client.BasicCredentialsProvider;
import org.opensearch.client.Request;
import org.opensearch.client.ResponseException;
import org.opensearch.client.RestClient;
import org.opensearch.client.RestClientBuilder;
import org.opensearch.client.json.jsonb.JsonbJsonpMapper;
import org.opensearch.client.opensearch.OpenSearchAsyncClient;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.transport.rest_client.RestClientTransport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection to OpenSearch (embedded node or an operator's cluster) and the mail index in it.
 */
public final class MailIndexClient implements AutoCloseable {
    private static final Logger LOGGER = LoggerFactory.getLogger(MailIndexClient.class);

    private final RestClient restClient;
    private final OpenSearchClient client;
    private final OpenSearchAsyncClient asyncClient;
    private final String indexName;

    public MailIndexClient(List<URI> hosts, String user, String password, String indexName,
                           int connectTimeoutMs, int socketTimeoutMs) {
        HttpHost[] httpHosts = hosts.stream()
            .map(uri -> new HttpHost(uri.getHost(), uri.getPort(), uri.getScheme()))
            .toArray(HttpHost[]::new);
        RestClientBuilder builder = RestClient.builder(httpHosts)
            .setRequestConfigCallback(config -> config
                .setConnectTimeout(connectTimeoutMs)
                .setSocketTimeout(socketTimeoutMs));
        if (user != null && !user.isEmpty()) {
            BasicCredentialsProvider credentials = new BasicCredentialsProvider();
            credentials.setCredentials(AuthScope.ANY, new UsernamePasswordCredentials(user, password));
            builder.setHttpClientConfigCallback(http -> http.setDefaultCredentialsProvider(credentials));
        }
        this.restClient = builder.build();
        RestClientTransport transport = new RestClientTransport(restClient, new JsonbJsonpMapper());
        this.client = new OpenSearchClient(transport);
        this.asyncClient = new OpenSearchAsyncClient(transport);
        this.indexName = indexName;
    }

    public OpenSearchClient client() {
        return client;
    }

    public OpenSearchAsyncClient async() {
        return asyncClient;
    }

    public String indexName() {
        return indexName;
    }

    /** Creates the mail index with Postino's mapping unless it exists. */
    public void ensureIndex(int shards, int replicas) throws IOException {
        if (client.indices().exists(e -> e.index(indexName)).value()) {
            return;
        }
        String json = mapping().replace("\"${shards}\"", Integer.toString(shards))
            .replace("\"${replicas}\"", Integer.toString(replicas));
        try {
            Request create = new Request("PUT", "/" + indexName);
            create.setJsonEntity(json);
            restClient.performRequest(create);
            LOGGER.info("Created search index {} ({} shard(s), {} replica(s))", indexName, shards, replicas);
        } catch (ResponseException e) {
            if (!client.indices().exists(x -> x.index(indexName)).value()) {
                throw e;
            }
        }
    }

    static String mapping() throws IOException {
        try (InputStream in = MailIndexClient.class.getResourceAsStream("mail-index.json")) {
            if (in == null) {
                throw new IOException("mail-index.json missing from the class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Override
    public void close() throws IOException {
        restClient.close();
    }
}
