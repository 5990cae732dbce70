package org.postino.mailets.delivery.fake;

import java.io.Closeable;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.postino.mailets.delivery.routing.MxResolver;

/**
 * A real DNS server for tests: {@code dnsmasq} (Debian package {@code dnsmasq-base}) in the foreground, answering
 * only from the records it is given, listening on one loopback address and nothing else. {@link #start} returns once
 * this very process has answered a question; a missing binary, a port already taken or a crash at start-up fails
 * with dnsmasq's own words. Port 53 needs root (or CAP_NET_BIND_SERVICE).
 * <pre>{@code
 * Dnsmasq dns = Dnsmasq.start("127.0.0.77", 53, List.of("--local=/test/", "--host-record=mx1.example.test,127.0.0.2"));
 * MxResolver.forServers(List.of(dns.address()), Duration.ofSeconds(2))...
 * dns.close();
 * }</pre>
 */
public final class Dnsmasq implements Closeable {

    private static final String INSTALL_HINT = "install it with: apt-get install -y dnsmasq-base";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(10);

    private final Process process;
    private final InetSocketAddress address;
    private final Path log;
    private final Thread killOnExit;

    private Dnsmasq(Process process, InetSocketAddress address, Path log) {
        this.process = process;
        this.address = address;
        this.log = log;
        // @AfterAll does not run when the JVM is stopped; a dnsmasq left behind would hold the address for the next run.
        this.killOnExit = new Thread(process::destroyForcibly, "dnsmasq-kill-on-exit");
        Runtime.getRuntime().addShutdownHook(killOnExit);
    }

    /**
     * @param loopbackAddress where to listen; anything but a loopback address is refused
     * @param records dnsmasq options giving the records, e.g. {@code --mx-host=example.test,mx1.example.test,10}
     */
    public static Dnsmasq start(String loopbackAddress, int port, List<String> records) throws IOException, InterruptedException {
        InetAddress listen = InetAddress.getByName(loopbackAddress);
        if (!listen.isLoopbackAddress()) {
            throw new IllegalArgumentException("dnsmasq for tests listens on loopback only, not on " + loopbackAddress);
        }
        Path binary = binary().orElseThrow(() -> new IllegalStateException(
            "dnsmasq not found (looked in PATH, /usr/sbin, /sbin); the DNS integration tests need it: " + INSTALL_HINT));
        Path log = Path.of("target", "dnsmasq-" + listen.getHostAddress().replace(':', '_') + "-" + port + ".log");
        Files.createDirectories(log.getParent());
        List<String> command = new ArrayList<>(List.of(binary.toString(),
            "--no-daemon", "--port=" + port, "--listen-address=" + listen.getHostAddress(), "--bind-interfaces",
            "--no-resolv", "--no-hosts", "--pid-file=", "--log-queries", "--log-facility=-"));
        command.addAll(records);
        Process process = new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
        Dnsmasq dnsmasq = new Dnsmasq(process, new InetSocketAddress(listen, port), log);
        try {
            dnsmasq.awaitOwnAnswer();
        } catch (RuntimeException | InterruptedException e) {
            dnsmasq.close();
            throw e;
        }
        return dnsmasq;
    }

    public InetSocketAddress address() {
        return address;
    }

    /** What dnsmasq said so far: start-up messages and every query it received. */
    public String log() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Asks a question of its own until this process logs it: an answer from some other server left on the same
     * address (the reason ours could not bind) does not count.
     */
    private void awaitOwnAnswer() throws InterruptedException {
        String probe = "ready-" + System.nanoTime() + ".probe";
        MxResolver resolver = MxResolver.forServers(List.of(address), Duration.ofMillis(500));
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!log().contains("query[MX] " + probe)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("dnsmasq on " + address + " exited with status " + process.exitValue()
                    + " before answering:\n" + log());
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("dnsmasq on " + address + " did not answer within " + START_TIMEOUT + ":\n" + log());
            }
            resolver.resolve(probe);
            Thread.sleep(50);
        }
    }

    private static Optional<Path> binary() {
        Stream<String> path = Stream.of(Optional.ofNullable(System.getenv("PATH")).orElse("").split(File.pathSeparator));
        return Stream.concat(path, Stream.of("/usr/sbin", "/sbin"))
            .filter(dir -> !dir.isEmpty())
            .map(dir -> Path.of(dir, "dnsmasq"))
            .filter(Files::isExecutable)
            .findFirst();
    }

    /** Stops dnsmasq and waits until it has exited, so its address is free again. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(killOnExit);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or about to: nothing to remove
            }
        }
    }
}
