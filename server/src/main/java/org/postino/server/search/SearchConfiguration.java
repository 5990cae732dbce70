package org.postino.server.search;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

import org.postino.extensions.search.SearchSettings;
import org.postino.server.config.StrictProperties;

/**
 * Reads {@code conf/opensearch.properties}. Every key is optional; an unknown key or a bad value
 * stops start-up with one line naming the file, the key and the value.
 */
public final class SearchConfiguration {
    public static final String FILE = "opensearch.properties";
    private static final Pattern HEAP = Pattern.compile("[1-9][0-9]*[mMgG]");

    private SearchConfiguration() {
    }

    public static SearchSettings load(Path conf, Path dataDirectory) {
        return parse(StrictProperties.load(conf.resolve(FILE)), dataDirectory);
    }

    static SearchSettings parse(StrictProperties properties, Path dataDirectory) {
        SearchSettings.Backend backend = properties.oneOf("search.backend", SearchSettings.Backend.class)
            .orElse(SearchSettings.Backend.OPENSEARCH);
        List<URI> hosts = new ArrayList<>();
        properties.string("opensearch.hosts").ifPresent(value -> {
            for (String host : value.split(",")) {
                hosts.add(host(properties, value, host.trim()));
            }
        });
        var user = properties.string("opensearch.user");
        var password = properties.string("opensearch.password");
        if (user.isPresent() && password.isEmpty()) {
            throw properties.error("opensearch.password", "", "a password is needed with opensearch.user");
        }
        if (user.isPresent() && hosts.stream().anyMatch(uri -> uri.getScheme().equals("http"))) {
            throw properties.error("opensearch.hosts", String.join(",", hosts.stream().map(URI::toString).toList()),
                "credentials are only sent over https");
        }
        String index = properties.string("opensearch.index").orElse("postino-mail");
        if (!index.matches("[a-z0-9][a-z0-9_.-]{0,200}")) {
            throw properties.error("opensearch.index", index, "expected a lower-case index name (a-z, 0-9, '-', '_', '.')");
        }
        int shards = properties.intInRange("opensearch.shards", 1, 64).orElse(1);
        int replicas = properties.intInRange("opensearch.replicas", 0, 8).orElse(0);
        int connect = properties.intInRange("opensearch.connectTimeoutSeconds", 1, 300).orElse(5);
        int request = properties.intInRange("opensearch.requestTimeoutSeconds", 1, 3600).orElse(30);
        int catchUp = properties.intInRange("search.catchUpSeconds", 1, 3600).orElse(5);
        String heap = properties.string("embedded.heap").orElse("512m");
        if (!HEAP.matcher(heap).matches()) {
            throw properties.error("embedded.heap", heap, "expected a size such as 512m or 2g");
        }
        int port = properties.intInRange("embedded.port", 0, 65535).orElse(0);
        properties.rejectUnknownKeys();
        return new SearchSettings(backend, List.copyOf(hosts), user, password, index, shards, replicas,
            Duration.ofSeconds(connect), Duration.ofSeconds(request), Duration.ofSeconds(catchUp),
            heap.toLowerCase(Locale.ROOT), port, dataDirectory.resolve("search").resolve("backlog"));
    }

    private static URI host(StrictProperties properties, String value, String host) {
        try {
            URI uri = URI.create(host);
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null || uri.getPort() < 1) {
                throw properties.error("opensearch.hosts", value, "expected http(s)://host:port, comma-separated");
            }
            return uri;
        } catch (IllegalArgumentException e) {
            throw properties.error("opensearch.hosts", value, "expected http(s)://host:port, comma-separated");
        }
    }
}
