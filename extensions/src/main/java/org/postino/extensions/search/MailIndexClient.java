package org.postino.extensions.search;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

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

    private final CompletableFuture<Connection> connection;
    private final String indexName;
    private final AtomicBoolean indexReady = new AtomicBoolean();
    private volatile int shards = 1;
    private volatile int replicas = 0;

    private static final class Connection {
        final RestClient restClient;
        final OpenSearchClient client;
        final OpenSearchAsyncClient asyncClient;

        Connection(RestClient restClient) {
            this.restClient = restClient;
            RestClientTransport transport = new RestClientTransport(restClient, new JsonbJsonpMapper());
            this.client = new OpenSearchClient(transport);
            this.asyncClient = new OpenSearchAsyncClient(transport);
        }
    }

    public MailIndexClient(List<URI> hosts, String user, String password, String indexName,
                           int connectTimeoutMs, int socketTimeoutMs) {
        this(CompletableFuture.completedFuture(hosts), user, password, indexName, connectTimeoutMs, socketTimeoutMs);
    }

    /**
     * @param hosts where OpenSearch answers; for the embedded node, known once it has started
     *              (until then searches fail and indexing waits)
     */
    public MailIndexClient(CompletableFuture<List<URI>> hosts, String user, String password, String indexName,
                           int connectTimeoutMs, int socketTimeoutMs) {
        this.indexName = indexName;
        this.connection = hosts.thenApply(uris -> new Connection(restClient(uris, user, password, connectTimeoutMs, socketTimeoutMs)));
    }

    private static RestClient restClient(List<URI> hosts, String user, String password, int connectTimeoutMs, int socketTimeoutMs) {
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
        return builder.build();
    }

    /** Completes once OpenSearch's address is known (at once for a configured cluster). */
    public CompletableFuture<Void> connected() {
        return connection.thenApply(c -> null);
    }

    private Connection connection() {
        try {
            return connection.get(10, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException("the search index (OpenSearch) is still starting");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for OpenSearch");
        } catch (ExecutionException e) {
            throw new IllegalStateException("the search index (OpenSearch) could not be started: " + e.getCause().getMessage(), e.getCause());
        }
    }

    public OpenSearchClient client() {
        return connection().client;
    }

    public OpenSearchAsyncClient async() {
        return connection().asyncClient;
    }

    public String indexName() {
        return indexName;
    }

    /** Shards and replicas of the index when Postino creates it (an existing index keeps its own). */
    public MailIndexClient layout(int shards, int replicas) {
        this.shards = shards;
        this.replicas = replicas;
        return this;
    }

    /** Creates the mail index with the configured layout unless it exists; cheap once it does. */
    public void ensureIndex() throws IOException {
        ensureIndex(shards, replicas);
    }

    /** Creates the mail index with Postino's mapping unless it exists. */
    public void ensureIndex(int shards, int replicas) throws IOException {
        if (indexReady.get()) {
            return;
        }
        OpenSearchClient client = client();
        if (client.indices().exists(e -> e.index(indexName)).value()) {
            indexReady.set(true);
            return;
        }
        String json = mapping().replace("\"${shards}\"", Integer.toString(shards))
            .replace("\"${replicas}\"", Integer.toString(replicas));
        try {
            Request create = new Request("PUT", "/" + indexName);
            create.setJsonEntity(json);
            connection().restClient.performRequest(create);
            LOGGER.info("Created search index {} ({} shard(s), {} replica(s))", indexName, shards, replicas);
            indexReady.set(true);
        } catch (ResponseException e) {
            if (!client.indices().exists(x -> x.index(indexName)).value()) {
                throw e;
            }
            indexReady.set(true);
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
        if (connection.isDone() && !connection.isCompletedExceptionally()) {
            connection.join().restClient.close();
        }
    }
}
