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
import org.opensearch.client.json.JsonpMapper;
import org.opensearch.client.json.jsonb.JsonbJsonpMapper;
import org.opensearch.client.opensearch.OpenSearchAsyncClient;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.transport.rest_client.RestClientTransport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;

/**
 * The connection to OpenSearch (embedded node or an operator's cluster) and the mail index in it.
 */
public final class MailIndexClient implements AutoCloseable {
    private static final Logger LOGGER = LoggerFactory.getLogger(MailIndexClient.class);

    private final CompletableFuture<Connection> connection;
    private final String indexName;
    private final AtomicBoolean indexReady = new AtomicBoolean();
    /** The layout of indexes this Postino creates (mail-index.json's _meta.postino_layout). */
    static final int LAYOUT = 2;
    private volatile int layout = LAYOUT;
    private volatile int shards = 1;
    private volatile int replicas = 0;
    /**
     * Hits one search request may return (the index's max_result_window, raised to this from OpenSearch's 10,000 on
     * indexes Postino makes or adopts): a query matching tens of thousands of messages runs once, not once per 10,000.
     */
    static final int PAGE = 50_000;
    private volatile int pageSize = 10_000;

    private static final class Connection {
        final RestClient restClient;
        final JsonpMapper mapper;
        final OpenSearchClient client;
        final OpenSearchAsyncClient asyncClient;

        Connection(RestClient restClient) {
            this.restClient = restClient;
            this.mapper = new JsonbJsonpMapper();
            RestClientTransport transport = new RestClientTransport(restClient, mapper);
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

    /** The low-level client, for requests whose answers are read as a stream. */
    RestClient restClient() {
        return connection().restClient;
    }

    JsonpMapper mapper() {
        return connection().mapper;
    }

    /** How many hits one search request may ask for; known once the index was looked up ({@link #layout()}). */
    int pageSize() {
        return pageSize;
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

    /**
     * The layout of the mail index as it was created (its mapping's {@code _meta.postino_layout}; 1 when
     * absent): what a query may rely on. Looks the index up (creating it if missing) the first time.
     */
    public int layout() throws IOException {
        ensureIndex();
        return layout;
    }

    /** Creates the mail index with Postino's mapping unless it exists. */
    public void ensureIndex(int shards, int replicas) throws IOException {
        if (indexReady.get()) {
            return;
        }
        OpenSearchClient client = client();
        if (client.indices().exists(e -> e.index(indexName)).value()) {
            adopt();
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
            layout = LAYOUT;
            pageSize = PAGE;
            indexReady.set(true);
        } catch (ResponseException e) {
            if (!client.indices().exists(x -> x.index(indexName)).value()) {
                throw e;
            }
            adopt();
            indexReady.set(true);
        }
    }

    /**
     * An index that exists: reads its layout. One made by an earlier Postino gets the fields added
     * since (its mapping is strict: documents carrying them would be refused); queries keep to what
     * its older documents have, and settings fixed at creation (doc values) stay as they were.
     */
    private void adopt() throws IOException {
        Request get = new Request("GET", "/" + indexName + "/_mapping");
        JsonObject mappings;
        try (InputStream in = connection().restClient.performRequest(get).getEntity().getContent();
             JsonReader reader = Json.createReader(in)) {
            mappings = reader.readObject().values().iterator().next().asJsonObject().getJsonObject("mappings");
        }
        JsonObject meta = mappings.getJsonObject("_meta");
        layout = meta != null && meta.containsKey("postino_layout") ? meta.getJsonNumber("postino_layout").intValue() : 1;
        if (layout < LAYOUT && !mappings.getJsonObject("properties").containsKey("subjectAll")) {
            Request put = new Request("PUT", "/" + indexName + "/_mapping");
            put.setJsonEntity("{\"properties\": {\"subjectAll\": {\"type\": \"wildcard\", \"doc_values\": true}}}");
            connection().restClient.performRequest(put);
        }
        pageSize = adoptPageSize();
        if (layout < LAYOUT) {
            LOGGER.warn("Search index {} was made by an earlier Postino (layout {}, this one makes {}): searches of headers"
                + " are slower in it; to rebuild it: stop Postino, delete the index, start Postino (conf/README.md, Search)", indexName, layout, LAYOUT);
        }
    }

    /** The index's max_result_window, raised to {@link #PAGE} when lower (an index made by an earlier Postino). */
    private int adoptPageSize() throws IOException {
        Request get = new Request("GET", "/" + indexName + "/_settings/index.max_result_window");
        int window = 10_000;
        try (InputStream in = connection().restClient.performRequest(get).getEntity().getContent();
             JsonReader reader = Json.createReader(in)) {
            JsonObject settings = reader.readObject().values().iterator().next().asJsonObject().getJsonObject("settings");
            JsonObject indexSettings = settings == null ? null : settings.getJsonObject("index");
            if (indexSettings != null && indexSettings.containsKey("max_result_window")) {
                window = Integer.parseInt(indexSettings.getString("max_result_window"));
            }
        }
        if (window >= PAGE) {
            return PAGE;
        }
        try {
            Request put = new Request("PUT", "/" + indexName + "/_settings");
            put.setJsonEntity("{\"index\": {\"max_result_window\": " + PAGE + "}}");
            connection().restClient.performRequest(put);
            LOGGER.info("Search index {}: max_result_window raised from {} to {} (searches with many hits take fewer requests)",
                indexName, window, PAGE);
            return PAGE;
        } catch (ResponseException e) {
            LOGGER.warn("Search index {}: could not raise max_result_window from {} to {} ({}); searches read {} hits per request",
                indexName, window, PAGE, e.getResponse().getStatusLine(), window);
            return window;
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
