package org.postino.extensions.search.embedded;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts and stops a single-node OpenSearch in a JVM of its own ({@code org.postino.opensearch.node.NodeMain} from
 * the {@code postino-opensearch-node} dist zip), never inside the caller's JVM: OpenSearch's Jackson, Netty and
 * Lucene differ from James's. Needs nothing but the JDK and slf4j.
 *
 * <pre>
 * EmbeddedOpenSearch node = EmbeddedOpenSearch.builder()
 *         .libDirectory(Path.of("opensearch-node/lib"))   // the unpacked zip's lib/
 *         .dataDirectory(Path.of("var/opensearch"))
 *         .build();
 * URI uri = node.start();   // blocks until the cluster is at least yellow
 * ...
 * node.stop();
 * </pre>
 *
 * <p>The node's standard input is a pipe held open by this object: when it closes, because {@link #stop()} closes it
 * or because this JVM dies (even by {@code kill -9}), the node shuts down. A JVM shutdown hook stops the node too.
 * The node's standard output and error are copied to {@code DATA/logs/node.out}; OpenSearch's own log is
 * {@code DATA/logs/opensearch.log}. A second node on a data directory in use fails with {@link StartException}
 * saying so.
 */
public final class EmbeddedOpenSearch implements AutoCloseable {

    public static final String MAIN_CLASS = "org.postino.opensearch.node.NodeMain";
    /** The node's one line on standard output once it serves requests (see NodeMain). */
    static final String READY_PREFIX = "POSTINO-OPENSEARCH-READY ";
    /** NodeMain's exit codes. */
    private static final int EXIT_USAGE = 2;
    private static final int EXIT_DATA_IN_USE = 3;

    private static final Logger LOGGER = LoggerFactory.getLogger(EmbeddedOpenSearch.class);
    private static final Pattern HEAP = Pattern.compile("(\\d+)([kKmMgG]?)");
    /** Options of the caller's JVM that must not leak into the node's. */
    private static final List<String> INHERITED_JVM_OPTION_VARIABLES =
            List.of("JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS", "JDK_JAVA_OPTIONS");

    private final Path libDirectory;
    private final Path dataDirectory;
    private final int port;
    private final String host;
    private final String clusterName;
    private final String heap;
    private final long heapBytes;
    private final Path javaExecutable;
    private final Duration startTimeout;
    private final Duration stopTimeout;
    private final List<String> jvmOptions;

    private Running running;

    private EmbeddedOpenSearch(Builder builder) {
        this.libDirectory = Objects.requireNonNull(builder.libDirectory, "libDirectory").toAbsolutePath().normalize();
        this.dataDirectory = Objects.requireNonNull(builder.dataDirectory, "dataDirectory").toAbsolutePath().normalize();
        if (builder.port < 0 || builder.port > 65535) {
            throw new IllegalArgumentException("port out of range 0..65535: " + builder.port);
        }
        this.port = builder.port;
        this.host = Objects.requireNonNull(builder.host, "host");
        this.clusterName = Objects.requireNonNull(builder.clusterName, "clusterName");
        this.heap = Objects.requireNonNull(builder.heap, "heap");
        this.heapBytes = parseHeap(builder.heap);
        this.javaExecutable = builder.javaExecutable != null ? builder.javaExecutable : currentJava();
        this.startTimeout = requirePositive(builder.startTimeout, "startTimeout");
        this.stopTimeout = requirePositive(builder.stopTimeout, "stopTimeout");
        this.jvmOptions = List.copyOf(builder.jvmOptions);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Starts the node and waits until it is ready (cluster at least yellow), at most the start timeout.
     *
     * @return the node's HTTP address, as {@link #uri()}
     * @throws StartException when the node exits, or is not ready in time; its message ends with the last lines
     *                        the node wrote
     * @throws IllegalStateException when this node is already running
     */
    public synchronized URI start() {
        if (running != null && running.process.isAlive()) {
            throw new IllegalStateException("OpenSearch node already running at " + running.uri);
        }
        if (running != null) { // exited on its own since
            removeHook(running.hook);
            running = null;
        }
        requireNodeLibraries();
        Path logs = dataDirectory.resolve("logs");
        Path outputFile = logs.resolve("node.out");
        NodeOutput output;
        try {
            Files.createDirectories(logs);
            Files.createDirectories(dataDirectory.resolve("tmp"));
            output = NodeOutput.open(outputFile);
        } catch (IOException e) {
            throw new StartException("cannot prepare the OpenSearch data directory " + dataDirectory + ": " + e, e);
        }

        List<String> command = command();
        output.note("starting OpenSearch node: " + String.join(" ", command));
        ProcessBuilder processBuilder = new ProcessBuilder(command)
                .directory(dataDirectory.toFile())
                .redirectInput(ProcessBuilder.Redirect.PIPE);
        INHERITED_JVM_OPTION_VARIABLES.forEach(processBuilder.environment()::remove);

        long startedAt = System.nanoTime();
        Process process;
        try {
            process = processBuilder.start();
        } catch (IOException e) {
            output.close();
            throw new StartException("cannot run " + javaExecutable + " for the OpenSearch node: " + e.getMessage(), e);
        }
        CompletableFuture<URI> ready = new CompletableFuture<>();
        output.pump(process.getInputStream(), "stdout", line -> {
            if (line.startsWith(READY_PREFIX)) {
                ready.complete(URI.create(line.substring(READY_PREFIX.length()).trim()));
            }
        });
        output.pump(process.getErrorStream(), "stderr", line -> { });
        process.onExit().thenRun(() -> ready.completeExceptionally(new IllegalStateException("exited")));
        AtomicBoolean stopping = new AtomicBoolean();
        Thread hook = new Thread(() -> {
            stopping.set(true);
            terminate(process, stopTimeout);
        }, "opensearch-node-stop");
        Runtime.getRuntime().addShutdownHook(hook);

        URI uri;
        try {
            uri = ready.get(startTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException exited) {
            removeHook(hook);
            output.awaitEnd(Duration.ofSeconds(5));
            throw new StartException(failureMessage(process.exitValue(), output), null);
        } catch (TimeoutException e) {
            terminate(process, Duration.ofSeconds(10));
            removeHook(hook);
            output.awaitEnd(Duration.ofSeconds(5));
            throw new StartException("OpenSearch node (data " + dataDirectory + ") not ready after "
                    + startTimeout.toSeconds() + " s; stopped it. OpenSearch's log: "
                    + dataDirectory.resolve("logs").resolve("opensearch.log") + output.describe(), null);
        } catch (InterruptedException e) {
            terminate(process, Duration.ofSeconds(10));
            removeHook(hook);
            Thread.currentThread().interrupt();
            throw new StartException("interrupted while starting the OpenSearch node; stopped it", e);
        }
        Duration startDuration = Duration.ofNanos(System.nanoTime() - startedAt);
        running = new Running(process, uri, output, hook, startDuration, stopping);
        process.onExit().thenRun(() -> {
            if (!stopping.get()) {
                LOGGER.error("OpenSearch node at {} (pid {}) exited on its own with code {}{}",
                        uri, process.pid(), process.exitValue(), output.describe());
            }
        });
        LOGGER.info("OpenSearch node ready at {} in {} ms (pid {}, heap {}, data {})",
                uri, startDuration.toMillis(), process.pid(), heap, dataDirectory);
        return uri;
    }

    /** The HTTP address of the running node, e.g. {@code http://127.0.0.1:9200}. */
    public synchronized URI uri() {
        return current().uri;
    }

    public synchronized boolean isAlive() {
        return running != null && running.process.isAlive();
    }

    /** The process id of the running node. */
    public synchronized long pid() {
        return current().process.pid();
    }

    /** How long the last successful {@link #start()} took, from launching java to the ready line. */
    public synchronized Duration lastStartDuration() {
        return current().startDuration;
    }

    public Path dataDirectory() {
        return dataDirectory;
    }

    /** Where the node's standard output and error are copied. */
    public Path outputFile() {
        return dataDirectory.resolve("logs").resolve("node.out");
    }

    /**
     * Stops the node: closes its standard input (it then shuts down cleanly), waits up to the stop timeout, then
     * sends SIGTERM, then kills it. Does nothing when not running.
     */
    public synchronized void stop() {
        Running node = running;
        if (node == null) {
            return;
        }
        running = null;
        node.stopping.set(true);
        Integer exitCode = terminate(node.process, stopTimeout);
        removeHook(node.hook);
        node.output.awaitEnd(Duration.ofSeconds(5));
        LOGGER.info("OpenSearch node at {} (pid {}) stopped, exit code {}", node.uri, node.process.pid(), exitCode);
    }

    @Override
    public void close() {
        stop();
    }

    private Running current() {
        if (running == null) {
            throw new IllegalStateException("OpenSearch node not started");
        }
        return running;
    }

    List<String> command() {
        List<String> command = new ArrayList<>();
        command.add(javaExecutable.toString());
        command.add("-Xms" + heap);
        command.add("-Xmx" + heap);
        command.add("-XX:MaxDirectMemorySize=" + heapBytes / 2);
        // as OpenSearch's own jvm.options
        command.add("-XX:+UseG1GC");
        command.add("-XX:G1ReservePercent=25");
        command.add("-XX:InitiatingHeapOccupancyPercent=30");
        command.add("-Xss1m");
        command.add("-Djava.awt.headless=true");
        command.add("-Dfile.encoding=UTF-8");
        command.add("-Djna.nosys=true");
        command.add("-XX:-OmitStackTraceInFastThrow");
        command.add("-Dio.netty.noUnsafe=true");
        command.add("-Dio.netty.noKeySetOptimization=true");
        command.add("-Dio.netty.recycler.maxCapacityPerThread=0");
        command.add("-Dlog4j.shutdownHookEnabled=false");
        command.add("-Dlog4j2.disable.jmx=true");
        command.add("-Djava.io.tmpdir=" + dataDirectory.resolve("tmp"));
        command.add("-XX:ErrorFile=" + dataDirectory.resolve("logs").resolve("hs_err_pid%p.log"));
        // a node out of memory is no use to anyone: let it die, the caller sees it gone
        command.add("-XX:+ExitOnOutOfMemoryError");
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(libDirectory + java.io.File.separator + "*");
        command.add(MAIN_CLASS);
        command.add("--data");
        command.add(dataDirectory.toString());
        command.add("--port");
        command.add(Integer.toString(port));
        command.add("--host");
        command.add(host);
        command.add("--cluster");
        command.add(clusterName);
        return command;
    }

    private void requireNodeLibraries() {
        if (!Files.isDirectory(libDirectory)) {
            throw new StartException("no OpenSearch node libraries: " + libDirectory + " is not a directory"
                    + " (expected lib/ of the unpacked postino-opensearch-node dist zip)", null);
        }
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(libDirectory, "postino-opensearch-node*.jar")) {
            if (!jars.iterator().hasNext()) {
                throw new StartException("no OpenSearch node libraries: no postino-opensearch-node-*.jar in "
                        + libDirectory + " (expected lib/ of the unpacked postino-opensearch-node dist zip)", null);
            }
        } catch (IOException e) {
            throw new StartException("cannot read " + libDirectory + ": " + e, e);
        }
    }

    private String failureMessage(int exitCode, NodeOutput output) {
        String what;
        if (exitCode == EXIT_DATA_IN_USE) {
            what = "OpenSearch data directory " + dataDirectory + " is already in use by another running node";
        } else if (exitCode == EXIT_USAGE) {
            what = "OpenSearch node refused its command line (exit code 2)";
        } else {
            what = "OpenSearch node (data " + dataDirectory + ") exited with code " + exitCode + " before it was ready";
        }
        return what + output.describe();
    }

    /** Closes the node's standard input, then SIGTERM, then SIGKILL. Returns the exit code, null if unknown. */
    private static Integer terminate(Process process, Duration timeout) {
        try {
            try {
                process.getOutputStream().close();
            } catch (IOException e) {
                // already closed: the node sees the end of its input anyway
            }
            if (process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                return process.exitValue();
            }
            LOGGER.warn("OpenSearch node (pid {}) still running {} s after its input closed: sending SIGTERM",
                    process.pid(), timeout.toSeconds());
            process.destroy();
            if (process.waitFor(10, TimeUnit.SECONDS)) {
                return process.exitValue();
            }
            LOGGER.warn("OpenSearch node (pid {}) still running after SIGTERM: killing it", process.pid());
            process.destroyForcibly();
            return process.waitFor(10, TimeUnit.SECONDS) ? process.exitValue() : null;
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook is running or has run
        }
    }

    private static Path currentJava() {
        boolean windows = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");
        return Path.of(System.getProperty("java.home"), "bin", windows ? "java.exe" : "java");
    }

    static long parseHeap(String heap) {
        Matcher matcher = HEAP.matcher(heap);
        if (!matcher.matches()) {
            throw new IllegalArgumentException("heap: expected a size such as 512m or 1g, not '" + heap + "'");
        }
        long value = Long.parseLong(matcher.group(1));
        switch (matcher.group(2).toLowerCase(Locale.ROOT)) {
            case "k": value *= 1024; break;
            case "m": value *= 1024 * 1024; break;
            case "g": value *= 1024L * 1024 * 1024; break;
            default: break;
        }
        if (value < 128L * 1024 * 1024) {
            throw new IllegalArgumentException("heap: OpenSearch needs at least 128m, not '" + heap + "'");
        }
        return value;
    }

    private static Duration requirePositive(Duration duration, String name) {
        Objects.requireNonNull(duration, name);
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(name + " must be positive: " + duration);
        }
        return duration;
    }

    /** The node failed to start; the message says why and ends with the node's last lines of output. */
    public static final class StartException extends RuntimeException {
        StartException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private static final class Running {
        final Process process;
        final URI uri;
        final NodeOutput output;
        final Thread hook;
        final Duration startDuration;
        /** Set before a stop we asked for, so that the exit is not reported as a crash. */
        final AtomicBoolean stopping;

        Running(Process process, URI uri, NodeOutput output, Thread hook, Duration startDuration, AtomicBoolean stopping) {
            this.process = process;
            this.uri = uri;
            this.output = output;
            this.hook = hook;
            this.startDuration = startDuration;
            this.stopping = stopping;
        }
    }

    public static final class Builder {
        private Path libDirectory;
        private Path dataDirectory;
        private int port;
        private String host = "127.0.0.1";
        private String clusterName = "postino";
        private String heap = "512m";
        private Path javaExecutable;
        private Duration startTimeout = Duration.ofSeconds(120);
        private Duration stopTimeout = Duration.ofSeconds(30);
        private final List<String> jvmOptions = new ArrayList<>();

        private Builder() {
        }

        /** The {@code lib/} folder of the unpacked {@code postino-opensearch-node} dist zip. */
        public Builder libDirectory(Path libDirectory) {
            this.libDirectory = libDirectory;
            return this;
        }

        /** The node's home: {@code data/}, {@code logs/}, {@code config/}, {@code tmp/} are made under it. */
        public Builder dataDirectory(Path dataDirectory) {
            this.dataDirectory = dataDirectory;
            return this;
        }

        /** The HTTP port; 0 (the default) lets the node take any free port on the loopback interface. */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /** A loopback address (the node has no authentication); 127.0.0.1 by default. */
        public Builder host(String host) {
            this.host = host;
            return this;
        }

        public Builder clusterName(String clusterName) {
            this.clusterName = clusterName;
            return this;
        }

        /** -Xms and -Xmx of the node, e.g. "512m" (the default) or "1g". */
        public Builder heap(String heap) {
            this.heap = heap;
            return this;
        }

        /** Defaults to the java of the running JVM. */
        public Builder javaExecutable(Path javaExecutable) {
            this.javaExecutable = javaExecutable;
            return this;
        }

        /** How long {@link #start()} waits for the node to be ready; 120 s by default. */
        public Builder startTimeout(Duration startTimeout) {
            this.startTimeout = startTimeout;
            return this;
        }

        /** How long {@link #stop()} waits for a clean shutdown before SIGTERM; 30 s by default. */
        public Builder stopTimeout(Duration stopTimeout) {
            this.stopTimeout = stopTimeout;
            return this;
        }

        /** An extra option for the node's JVM, after the defaults (so it can override them). */
        public Builder jvmOption(String option) {
            this.jvmOptions.add(Objects.requireNonNull(option));
            return this;
        }

        public EmbeddedOpenSearch build() {
            return new EmbeddedOpenSearch(this);
        }
    }
}
