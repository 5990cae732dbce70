package org.postino.server.config;

import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;

import org.postino.extensions.smtp.Sizes;

/**
 * Postino's own start-up settings, from {@code conf/postino.properties}. Every key, its default
 * and its range is declared here, once; unknown keys are rejected.
 *
 * <table>
 *   <caption>Keys</caption>
 *   <tr><td>{@code data.dir}</td><td>where all state lives (database, queues, mail repositories,
 *       generated TLS keys); relative to the installation directory. Default {@code var}.
 *       Logs are not state: they go to {@code <home>/log}.</td></tr>
 *   <tr><td>{@code listen.address}</td><td>when set, every listener whose file binds the wildcard address
 *       ({@code 0.0.0.0} or {@code ::}) binds this address instead (e.g. {@code 127.0.0.1}); listeners
 *       bound to a specific address (LMTP and ManageSieve on loopback) stay where they are. Default: unset.</td></tr>
 *   <tr><td>{@code privileged.ports}</td><td>what to do when the process may not bind ports below 1024
 *       (not root, no {@code CAP_NET_BIND_SERVICE}): {@code shift} adds {@code privileged.ports.shift}
 *       to each such port and says so at start-up; {@code fail} stops. Default {@code shift}.</td></tr>
 *   <tr><td>{@code privileged.ports.shift}</td><td>1..64000, default {@code 10000} (25 becomes 10025).</td></tr>
 *   <tr><td>{@code tls.selfsigned}</td><td>{@code true}: on first start, when the listeners' keystore
 *       {@code <data.dir>/tls/selfsigned.p12} does not exist, generate a self-signed certificate into it.
 *       Default {@code true}.</td></tr>
 *   <tr><td>{@code tls.selfsigned.hostname}</td><td>the certificate's name; default: this machine's
 *       canonical host name.</td></tr>
 *   <tr><td>{@code queue.pauseBelowFreeSpace}</td><td>below this much usable space in the data directory's file
 *       system, mail waits in its queue instead of being processed, until there is room again (see
 *       {@code StorageGuard}); a size with {@code K}, {@code M} or {@code G} (powers of 1024), at least 1M. Keep it
 *       below the SMTP listeners' {@code minFreeSpace}, so that new mail is refused first. Default {@code 64M}.</td></tr>
 * </table>
 */
public final class PostinoSettings {

    public static final String FILE = "postino.properties";

    public enum PrivilegedPorts { SHIFT, FAIL }

    static final long DEFAULT_PAUSE_BELOW_FREE_SPACE = 64L << 20;

    private final Path dataDirectory;
    private final Optional<String> listenAddress;
    private final PrivilegedPorts privilegedPorts;
    private final int privilegedShift;
    private final boolean selfSignedTls;
    private final Optional<String> selfSignedHostname;
    private final long pauseBelowFreeSpace;

    private PostinoSettings(Path dataDirectory, Optional<String> listenAddress, PrivilegedPorts privilegedPorts,
                            int privilegedShift, boolean selfSignedTls, Optional<String> selfSignedHostname,
                            long pauseBelowFreeSpace) {
        this.dataDirectory = dataDirectory;
        this.listenAddress = listenAddress;
        this.privilegedPorts = privilegedPorts;
        this.privilegedShift = privilegedShift;
        this.selfSignedTls = selfSignedTls;
        this.selfSignedHostname = selfSignedHostname;
        this.pauseBelowFreeSpace = pauseBelowFreeSpace;
    }

    public static PostinoSettings load(Path home, Path confDirectory) {
        return from(StrictProperties.load(confDirectory.resolve(FILE)), home);
    }

    public static PostinoSettings from(StrictProperties properties, Path home) {
        Path data = home.resolve(properties.string("data.dir").orElse("var")).toAbsolutePath().normalize();
        Optional<String> listen = properties.string("listen.address");
        listen.ifPresent(address -> {
            if (address.contains(" ") || address.contains(",")) {
                throw properties.error("listen.address", address, "expected one address, such as 127.0.0.1 or 0.0.0.0");
            }
        });
        PrivilegedPorts privileged = properties.oneOf("privileged.ports", PrivilegedPorts.class).orElse(PrivilegedPorts.SHIFT);
        int shift = properties.intInRange("privileged.ports.shift", 1, 64000).orElse(10000);
        boolean selfSigned = properties.bool("tls.selfsigned").orElse(true);
        Optional<String> hostname = properties.string("tls.selfsigned.hostname");
        long pauseBelow = properties.string("queue.pauseBelowFreeSpace").map(text -> {
            OptionalLong bytes = Sizes.bytes(text, 'g');
            if (bytes.isEmpty() || bytes.getAsLong() < 1L << 20) {
                throw properties.error("queue.pauseBelowFreeSpace", text, "expected a size of at least 1M, such as 64M or 1G");
            }
            return bytes.getAsLong();
        }).orElse(DEFAULT_PAUSE_BELOW_FREE_SPACE);
        properties.rejectUnknownKeys();
        return new PostinoSettings(data, listen, privileged, shift, selfSigned, hostname, pauseBelow);
    }

    /** Usable bytes in the data directory's file system below which queued mail waits. */
    public long pauseBelowFreeSpace() {
        return pauseBelowFreeSpace;
    }

    public Path dataDirectory() {
        return dataDirectory;
    }

    public Optional<String> listenAddress() {
        return listenAddress;
    }

    public PrivilegedPorts privilegedPorts() {
        return privilegedPorts;
    }

    public int privilegedShift() {
        return privilegedShift;
    }

    public boolean selfSignedTls() {
        return selfSignedTls;
    }

    public Optional<String> selfSignedHostname() {
        return selfSignedHostname;
    }
}
