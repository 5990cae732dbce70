package org.postino.opensearch.node;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.Configurator;
import org.opensearch.action.admin.cluster.health.ClusterHealthResponse;
import org.opensearch.cluster.health.ClusterHealthStatus;
import org.opensearch.common.logging.LogConfigurator;
import org.opensearch.common.network.NetworkAddress;
import org.opensearch.common.settings.Settings;
import org.opensearch.common.unit.TimeValue;
import org.opensearch.core.common.transport.TransportAddress;
import org.opensearch.env.Environment;
import org.opensearch.http.HttpServerTransport;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.plugins.Plugin;

/**
 * A single-node OpenSearch 2.19 in a JVM of its own, for Postino's search index.
 *
 * <pre>
 * java -Xms512m -Xmx512m -cp 'lib/*' org.postino.opensearch.node.NodeMain --data DIR --port N [--host 127.0.0.1] [--cluster postino]
 * </pre>
 *
 * <ul>
 * <li>Everything lives under {@code DIR}: {@code data/} (indices), {@code logs/opensearch.log},
 *     {@code config/} (the generated {@code log4j2.properties}; an {@code opensearch.yml} put there by hand is read,
 *     but the settings below win), {@code tmp/}, and the lock file {@code postino-node.lock}.</li>
 * <li>HTTP and transport are bound to the loopback host only ({@code --port 0}: any free port). The node has no
 *     authentication, which is why a non-loopback {@code --host} is refused.</li>
 * <li>Standard output carries exactly one line, {@code POSTINO-OPENSEARCH-READY http://HOST:PORT}, once the cluster
 *     is at least yellow. Logs go to {@code DIR/logs/opensearch.log}; a failure to start is one line on standard
 *     error, exit code 1 ({@link #EXIT_DATA_IN_USE} when another node holds the data directory), a bad command line
 *     exit code 2.</li>
 * <li>SIGTERM closes the node cleanly. So does end of file on standard input (unless {@code --ignore-stdin}): the
 *     parent keeps the pipe open, and when the parent dies, even by {@code kill -9}, the node follows.</li>
 * <li>Disk watermarks are off ({@code cluster.routing.allocation.disk.threshold_enabled=false}). With them on, a
 *     disk 95% full makes OpenSearch mark every index read-only ({@code read_only_allow_delete}) on its own, and a
 *     mail server on a nearly full disk would silently stop indexing new mail even after space comes back. Postino
 *     guards free space itself (SMTP refuses mail below its threshold); if the disk really fills, indexing fails
 *     with a visible error instead.</li>
 * <li>Indices created without {@code number_of_replicas} get 0 (persistent cluster setting
 *     {@code cluster.default_number_of_replicas}, set at first start), so a single node is green rather than yellow.
 *     An index created with replicas stays yellow: clients should ask for 0.</li>
 * </ul>
 */
public final class NodeMain {

    public static final String READY_PREFIX = "POSTINO-OPENSEARCH-READY ";
    static final String NODE_NAME = "postino-node";
    /** Shorter than EmbeddedOpenSearch's default start timeout (120 s), so that the reason reaches the caller. */
    private static final TimeValue HEALTH_TIMEOUT = TimeValue.timeValueSeconds(90);
    private static final String DEFAULT_REPLICAS = "cluster.default_number_of_replicas";
    public static final int EXIT_FAILED = 1;
    public static final int EXIT_USAGE = 2;
    public static final int EXIT_DATA_IN_USE = 3;

    /**
     * Modules loaded from the classpath, as a distribution's {@code modules/} would. Left out on purpose:
     * repository-url (fetches URLs), ingest-user-agent, ingest-geoip (downloads databases), geo.
     */
    static final List<String> PLUGINS = List.of(
            "org.opensearch.transport.Netty4Plugin",
            "org.opensearch.analysis.common.CommonAnalysisPlugin",
            "org.opensearch.index.mapper.MapperExtrasPlugin",
            "org.opensearch.index.reindex.ReindexPlugin",
            "org.opensearch.painless.PainlessPlugin",
            "org.opensearch.script.expression.ExpressionPlugin",
            "org.opensearch.script.mustache.MustachePlugin",
            "org.opensearch.join.ParentJoinPlugin",
            "org.opensearch.percolator.PercolatorPlugin",
            "org.opensearch.search.aggregations.matrix.MatrixAggregationPlugin",
            "org.opensearch.index.rankeval.RankEvalPlugin",
            "org.opensearch.ingest.common.IngestCommonPlugin");

    private static final PrintStream STDOUT = System.out;
    private static final PrintStream STDERR = System.err;

    private static final Object LOCK = new Object();
    private static Node node;
    private static Logger logger;
    private static volatile boolean stopping;
    private static volatile boolean ready;
    /** Held (and referenced, so never collected and released) for the life of the process. */
    private static FileLock dataDirectoryLock;

    private NodeMain() {
    }

    public static void main(String[] args) {
        NodeOptions options;
        try {
            options = NodeOptions.parse(args);
        } catch (NodeOptions.UsageException e) {
            STDERR.println("postino-opensearch-node: " + e.getMessage());
            System.exit(EXIT_USAGE);
            return;
        }
        // before log4j initialises: we stop logging ourselves, after the node is closed
        System.setProperty("log4j.shutdownHookEnabled", "false");
        System.setProperty("log4j2.disable.jmx", "true");
        // nothing but the ready line may reach standard output
        System.setOut(STDERR);

        try {
            run(options);
        } catch (DataDirectoryInUse e) {
            STDERR.println("postino-opensearch-node: " + e.getMessage());
            System.exit(EXIT_DATA_IN_USE);
        } catch (Throwable e) {
            if (stopping) {
                return; // stopped while starting (SIGTERM, or standard input closed): already said, exit under way
            }
            if (logger != null) {
                logger.error("cannot start the OpenSearch node", e);
            } else {
                e.printStackTrace(STDERR);
            }
            STDERR.println("postino-opensearch-node: cannot start: " + oneLine(e)
                    + " (details in " + options.dataDirectory.resolve("logs").resolve("opensearch.log") + ")");
            System.exit(EXIT_FAILED);
        }
    }

    private static void run(NodeOptions options) throws Exception {
        long started = System.nanoTime();
        Path dir = options.dataDirectory;
        Files.createDirectories(dir);
        lockDataDirectory(dir);

        Path config = Files.createDirectories(dir.resolve("config"));
        Path data = Files.createDirectories(dir.resolve("data"));
        Path logs = Files.createDirectories(dir.resolve("logs"));
        Files.createDirectories(dir.resolve("tmp"));
        // the node wants these to exist; they stay empty: plugins come from the classpath
        Files.createDirectories(dir.resolve("modules"));
        Files.createDirectories(dir.resolve("plugins"));
        writeLoggingConfiguration(config);

        Settings settings = Settings.builder()
                .put("cluster.name", options.clusterName)
                .put("node.name", NODE_NAME)
                .put("path.home", dir.toString())
                .put("path.data", data.toString())
                .put("path.logs", logs.toString())
                .put("discovery.type", "single-node")
                .put("network.host", options.host)
                .put("http.port", Integer.toString(options.port))
                .put("transport.port", "0")
                .put("cluster.routing.allocation.disk.threshold_enabled", false)
                .build();
        Environment environment = InternalSettingsPreparer.prepareEnvironment(
                settings, Collections.emptyMap(), config, () -> NODE_NAME);
        LogConfigurator.registerErrorListener();
        LogConfigurator.setNodeName(NODE_NAME);
        LogConfigurator.configure(environment);
        logger = LogManager.getLogger(NodeMain.class);
        logger.info("starting OpenSearch node: data [{}], http [{}:{}], cluster [{}]",
                dir, options.host, options.port == 0 ? "any" : options.port, options.clusterName);

        Runtime.getRuntime().addShutdownHook(new Thread(NodeMain::shutdown, "postino-node-shutdown"));
        if (!options.ignoreStdin) {
            watchStandardInput();
        }

        Node starting;
        synchronized (LOCK) {
            if (stopping) {
                return;
            }
            node = new PostinoNode(environment, pluginClasses());
            starting = node;
        }
        starting.start();

        ClusterHealthResponse health = starting.client().admin().cluster().prepareHealth()
                .setWaitForYellowStatus()
                .setTimeout(HEALTH_TIMEOUT)
                .get();
        if (health.isTimedOut() || health.getStatus() == ClusterHealthStatus.RED) {
            throw new IllegalStateException("cluster still " + health.getStatus() + " after " + HEALTH_TIMEOUT
                    + " (an index whose primary shard cannot be allocated?)");
        }
        defaultToNoReplicas(starting);
        TransportAddress http = starting.injector().getInstance(HttpServerTransport.class).boundAddress().publishAddress();
        String url = "http://" + NetworkAddress.format(http.address());
        logger.info("OpenSearch node ready at {} (cluster {}) in {} ms", url, health.getStatus(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        ready = true;
        STDOUT.println(READY_PREFIX + url);
        STDOUT.flush();

        new CountDownLatch(1).await(); // the node's threads are daemons: main stays until System.exit
    }

    /**
     * On one node a replica never gets assigned: an index created without {@code number_of_replicas} would stay
     * yellow. {@code cluster.default_number_of_replicas} is read from the cluster state (not from node settings), so
     * it is set there, once: a value an operator put since is left alone.
     */
    private static void defaultToNoReplicas(Node node) {
        Settings persistent = node.client().admin().cluster().prepareState().clear().setMetadata(true).get()
                .getState().metadata().persistentSettings();
        if (!persistent.hasValue(DEFAULT_REPLICAS)) {
            node.client().admin().cluster().prepareUpdateSettings()
                    .setPersistentSettings(Settings.builder().put(DEFAULT_REPLICAS, 0).build())
                    .get();
            logger.info("set [{}] to 0 in the cluster settings", DEFAULT_REPLICAS);
        }
    }

    private static List<Class<? extends Plugin>> pluginClasses() throws ClassNotFoundException {
        List<Class<? extends Plugin>> classes = new ArrayList<>();
        for (String name : PLUGINS) {
            classes.add(Class.forName(name).asSubclass(Plugin.class));
        }
        return classes;
    }

    /** OpenSearch refuses a second node on the same data path too, but only after logging into our files. */
    private static void lockDataDirectory(Path dir) throws IOException, DataDirectoryInUse {
        Path lockFile = dir.resolve("postino-node.lock");
        FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock = channel.tryLock();
        if (lock == null) {
            channel.close();
            throw new DataDirectoryInUse("data directory " + dir + " is already in use by another OpenSearch node ("
                    + lockFile + " is locked by a running process)");
        }
        dataDirectoryLock = lock; // held until the process exits
    }

    private static void writeLoggingConfiguration(Path config) throws IOException {
        try (InputStream in = NodeMain.class.getResourceAsStream("log4j2.properties")) {
            if (in == null) {
                throw new IllegalStateException("log4j2.properties missing from the classpath");
            }
            Files.copy(in, config.resolve("log4j2.properties"), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void watchStandardInput() {
        Thread watcher = new Thread(() -> {
            byte[] buffer = new byte[256];
            try {
                while (System.in.read(buffer) >= 0) {
                    // whatever the parent writes is ignored; only the end matters
                }
            } catch (IOException e) {
                // a broken pipe means the same: the parent is gone
            }
            if (logger != null) {
                logger.info("standard input closed (parent process gone or stopping us): shutting down");
            }
            if (ready) {
                System.exit(0);
            }
            STDERR.println("postino-opensearch-node: standard input closed before the node was ready: stopping"
                    + " (--ignore-stdin runs it without a parent)");
            System.exit(EXIT_FAILED);
        }, "postino-node-stdin");
        watcher.setDaemon(true);
        watcher.start();
    }

    private static void shutdown() {
        Node toClose;
        synchronized (LOCK) {
            stopping = true;
            toClose = node;
        }
        try {
            if (toClose != null && !toClose.isClosed()) {
                logger.info("stopping OpenSearch node");
                toClose.close();
                if (!toClose.awaitClose(30, TimeUnit.SECONDS)) {
                    logger.warn("OpenSearch node not closed after 30 s; exiting anyway");
                } else {
                    logger.info("OpenSearch node stopped");
                }
            }
        } catch (Exception e) {
            if (logger != null) {
                logger.error("error while stopping the OpenSearch node", e);
            } else {
                e.printStackTrace(STDERR);
            }
        } finally {
            if (logger != null) {
                Configurator.shutdown((LoggerContext) LogManager.getContext(false));
            }
        }
    }

    private static String oneLine(Throwable e) {
        StringBuilder text = new StringBuilder();
        for (Throwable t = e; t != null && text.length() < 600; t = t.getCause() == t ? null : t.getCause()) {
            String message = t.getMessage() != null ? t.getMessage() : t.getClass().getName();
            if (text.indexOf(message) < 0) {
                text.append(text.length() > 0 ? ": " : "").append(message);
            }
        }
        return text.toString().replace('\n', ' ');
    }

    private static final class DataDirectoryInUse extends Exception {
        DataDirectoryInUse(String message) {
            super(message);
        }
    }
}
