package org.postino.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.apache.james.GuiceJamesServer;
import org.apache.james.server.core.configuration.ConfigurationProvider;
import org.apache.james.server.core.configuration.FileConfigurationProvider;
import org.apache.james.server.core.filesystem.FileSystemImpl;
import org.postino.server.config.ConfigPreflight;
import org.postino.server.config.ConfigurationError;
import org.postino.extensions.search.SearchSettings;
import org.postino.server.config.PostinoDirectories;
import org.postino.server.jmap.JmapModules;
import org.postino.server.jmap.JmapSettings;
import org.postino.server.search.EmbeddedSearchNode;
import org.postino.server.search.SearchConfiguration;
import org.postino.server.search.SearchModules;
import org.postino.server.config.PostinoServerConfiguration;
import org.postino.server.config.PostinoSettings;
import org.postino.server.config.StrictProperties;
import org.postino.server.network.ListenerPolicy;
import org.postino.server.storage.DatabaseConfiguration;
import org.postino.server.tls.SelfSignedKeystore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.inject.Module;

/**
 * Starts Postino: checks the configuration, prepares the data directory, then runs James's
 * protocol servers over Postino's storage and queues.
 *
 * <p>Usage: {@code PostinoServer [--home DIR]} (default: the system property {@code postino.home},
 * else the working directory). Configuration is read from {@code DIR/conf}. A configuration
 * mistake ends the process with exit code 78 and one line on standard error naming the file,
 * the key and the value.
 */
public final class PostinoServer {

    public static final int EXIT_CONFIG = 78;
    public static final int EXIT_FAILURE = 1;

    private final PostinoDirectories directories;
    private final GuiceJamesServer james;
    private final EmbeddedSearchNode search;

    private PostinoServer(PostinoDirectories directories, GuiceJamesServer james, EmbeddedSearchNode search) {
        this.directories = directories;
        this.james = james;
        this.search = search;
    }

    /** Everything that can be checked before any component starts; throws {@link ConfigurationError}. */
    public static PostinoServer prepare(Path home, Module... overrides) throws IOException, InterruptedException {
        Path conf = home.resolve("conf");
        if (!Files.isDirectory(conf)) {
            throw ConfigurationError.unreadable(conf.toString(), "directory", "configuration directory not found");
        }
        PostinoSettings settings = PostinoSettings.load(home, conf);
        new ConfigPreflight(conf, ListenerPolicy::addressInUse).check();
        DatabaseConfiguration database = DatabaseConfiguration.from(
            StrictProperties.load(conf.resolve(DatabaseConfiguration.FILE)), settings.dataDirectory());
        SearchSettings searchSettings = SearchConfiguration.load(conf, settings.dataDirectory());
        PostinoDirectories directories = PostinoDirectories.of(home, conf, settings.dataDirectory());
        Files.createDirectories(directories.data());
        System.setProperty("derby.system.home", directories.data().toString());
        if (settings.selfSignedTls()) {
            SelfSignedKeystore.ensure(directories.data(),
                settings.selfSignedHostname().orElseGet(SelfSignedKeystore::defaultHostname));
        }

        PostinoServerConfiguration configuration = new PostinoServerConfiguration(directories);
        ConfigurationProvider files = new FileConfigurationProvider(new FileSystemImpl(directories), configuration);
        ListenerPolicy listeners = new ListenerPolicy(files, settings, ListenerPolicy.mayBindPrivilegedPorts(),
            ListenerPolicy::addressInUse);
        JmapSettings jmap = JmapSettings.from(StrictProperties.load(conf.resolve(JmapSettings.FILE)), home, directories.data(),
            settings.selfSignedHostname().orElseGet(SelfSignedKeystore::defaultHostname),
            bind -> {
                String effective = listeners.rewrite(JmapSettings.FILE, "bind", bind);
                listeners.checkAvailable(JmapSettings.FILE, "bind", effective);
                return effective;
            });
        Module jmapModules = JmapModules.of(jmap, directories.data());
        EmbeddedSearchNode search = EmbeddedSearchNode.start(searchSettings, home, directories.data());
        GuiceJamesServer james = GuiceJamesServer.forConfiguration(configuration)
            .combineWith(PostinoModules.all(database, SearchModules.of(searchSettings, search), jmapModules))
            .overrideWith(binder -> {
                binder.bind(ConfigurationProvider.class).toInstance(listeners);
                binder.bind(ListenerPolicy.class).toInstance(listeners);
                binder.bind(PostinoDirectories.class).toInstance(directories);
                binder.bind(PostinoSettings.class).toInstance(settings);
            })
            .overrideWith(overrides);
        return new PostinoServer(directories, james, search);
    }

    public void start() throws Exception {
        james.start();
        writeReadyMarker();
    }

    public void stop() {
        try {
            Files.deleteIfExists(readyMarker());
        } catch (IOException e) {
            // the marker is advisory
        }
        try {
            james.stop();
        } finally {
            search.close();
        }
    }

    public GuiceJamesServer james() {
        return james;
    }

    public PostinoDirectories directories() {
        return directories;
    }

    private Path readyMarker() {
        return directories.home().resolve("run").resolve("postino.ready");
    }

    private void writeReadyMarker() throws IOException {
        Files.createDirectories(readyMarker().getParent());
        Files.writeString(readyMarker(), ProcessHandle.current().pid() + "\n", StandardCharsets.US_ASCII);
    }

    public static void main(String[] args) {
        // Start-up errors are reported here, in one line, rather than by James's own exit path.
        System.setProperty("james.exit.on.startup.error", "false");
        DroppedErrors.install();
        UnparsableReplyAddresses.install();
        Path home = homeFrom(args);
        System.setProperty("postino.home", home.toString());
        PostinoServer server;
        try {
            server = prepare(home);
            Runtime.getRuntime().addShutdownHook(new Thread(server::stop, "postino-shutdown"));
            server.start();
        } catch (Throwable e) {
            StartupFailure failure = StartupFailure.of(e);
            System.err.println(failure.line());
            logger().error("Start-up failed: {}", failure.line(), e);
            System.exit(failure.isConfiguration() ? EXIT_CONFIG : EXIT_FAILURE);
            return;
        }
        logger().info("Postino is ready (data in {})", server.directories().data());
    }

    private static Path homeFrom(String[] args) {
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals("--home")) {
                return Path.of(args[i + 1]).toAbsolutePath().normalize();
            }
        }
        return Path.of(System.getProperty("postino.home", ".")).toAbsolutePath().normalize();
    }

    private static Logger logger() {
        return LoggerFactory.getLogger(PostinoServer.class);
    }
}
