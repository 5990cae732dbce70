package org.postino.server.storage;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;

import org.postino.server.config.ConfigurationError;
import org.postino.server.config.StrictProperties;

/**
 * Where the JPA storage (mailboxes, users, domains, rewrite tables, sieve scripts) lives,
 * parsed from {@code conf/james-database.properties}.
 *
 * <table>
 *   <caption>Keys</caption>
 *   <tr><td>{@code database.driverClassName}</td><td>JDBC driver; default {@code org.apache.derby.jdbc.EmbeddedDriver}</td></tr>
 *   <tr><td>{@code database.url}</td><td>JDBC URL; default embedded Derby in {@code <data dir>/derby}.
 *       A relative Derby path is anchored in the data directory, never in the working directory.</td></tr>
 *   <tr><td>{@code database.username}, {@code database.password}</td><td>credentials, both or neither</td></tr>
 *   <tr><td>{@code datasource.maxTotal}</td><td>connection pool size, 1..1000; default 20</td></tr>
 *   <tr><td>{@code openjpa.*}</td><td>passed to OpenJPA as they are</td></tr>
 * </table>
 */
public final class DatabaseConfiguration {

    public static final String FILE = "james-database.properties";
    private static final String DERBY_DRIVER = "org.apache.derby.jdbc.EmbeddedDriver";
    private static final String DERBY_PREFIX = "jdbc:derby:";

    private final String driverClassName;
    private final String url;
    private final Optional<String> username;
    private final Optional<String> password;
    private final int maxConnections;
    private final Map<String, String> openJpaProperties;

    private DatabaseConfiguration(String driverClassName, String url, Optional<String> username,
                                  Optional<String> password, int maxConnections, Map<String, String> openJpaProperties) {
        this.driverClassName = driverClassName;
        this.url = url;
        this.username = username;
        this.password = password;
        this.maxConnections = maxConnections;
        this.openJpaProperties = Map.copyOf(openJpaProperties);
    }

    public static DatabaseConfiguration defaults(Path dataDirectory) {
        return from(new StrictProperties(FILE, new Properties()), dataDirectory);
    }

    public static DatabaseConfiguration from(StrictProperties properties, Path dataDirectory) {
        String driver = properties.string("database.driverClassName").orElse(DERBY_DRIVER);
        String url = properties.string("database.url")
            .map(value -> anchorDerbyPath(value, dataDirectory))
            .orElse(DERBY_PREFIX + dataDirectory.resolve("derby") + ";create=true");
        Optional<String> username = properties.string("database.username");
        Optional<String> password = properties.string("database.password");
        if (username.isPresent() != password.isPresent()) {
            String missing = username.isPresent() ? "database.password" : "database.username";
            throw new ConfigurationError(FILE, missing, "", "database.username and database.password go together");
        }
        int maxConnections = properties.intInRange("datasource.maxTotal", 1, 1000).orElse(20);
        Map<String, String> openJpa = new TreeMap<>(properties.withPrefix("openjpa."));
        properties.rejectUnknownKeys(key -> key.startsWith("openjpa."));
        return new DatabaseConfiguration(driver, url, username, password, maxConnections, openJpa);
    }

    private static String anchorDerbyPath(String url, Path dataDirectory) {
        if (!url.startsWith(DERBY_PREFIX)) {
            return url;
        }
        String rest = url.substring(DERBY_PREFIX.length());
        int semicolon = rest.indexOf(';');
        String path = semicolon < 0 ? rest : rest.substring(0, semicolon);
        String options = semicolon < 0 ? "" : rest.substring(semicolon);
        if (path.startsWith("memory:") || Path.of(path).isAbsolute()) {
            return url;
        }
        return DERBY_PREFIX + dataDirectory.resolve(path).normalize() + options;
    }

    /** The properties handed to {@code Persistence.createEntityManagerFactory}. */
    public Map<String, String> openJpaProperties() {
        Map<String, String> result = new TreeMap<>();
        result.put("openjpa.ConnectionDriverName", driverClassName);
        result.put("openjpa.ConnectionURL", url);
        username.ifPresent(value -> result.put("openjpa.ConnectionUserName", value));
        password.ifPresent(value -> result.put("openjpa.ConnectionPassword", value));
        result.put("openjpa.ConnectionProperties", "MaxTotal=" + maxConnections);
        result.put("openjpa.Multithreaded", "true");
        // OpenJPA's default ("finalizing") brokers are held by the factory until closed: every entity manager some
        // James code path leaves open (a mapper whose session is never ended, or two threads racing to open one for
        // the same session) stayed in memory with its statement and connection wrapper for good. About two per
        // delivered message leaked so: a 200 MB heap ran out after 7,000 deliveries, a 1 GB one at 100,000 stored
        // messages. Non-finalizing brokers are held weakly: an entity manager nobody references is collected.
        result.put("openjpa.BrokerImpl", "non-finalizing");
        result.putAll(openJpaProperties);
        return result;
    }

    public String url() {
        return url;
    }

    public boolean isEmbeddedDerby() {
        return url.startsWith(DERBY_PREFIX);
    }
}
