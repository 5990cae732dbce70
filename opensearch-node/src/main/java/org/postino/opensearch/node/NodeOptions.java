package org.postino.opensearch.node;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The command line of {@link NodeMain}:
 * {@code --data DIR --port N [--host 127.0.0.1] [--cluster postino] [--ignore-stdin]}.
 */
final class NodeOptions {

    static final String USAGE =
            "usage: NodeMain --data DIR --port N (0 = any free port) [--host 127.0.0.1] [--cluster postino] [--ignore-stdin]";

    private static final Pattern CLUSTER_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");

    final Path dataDirectory;
    final int port;
    final String host;
    final String clusterName;
    /** When false (the default) the node exits as soon as its standard input reaches end of file. */
    final boolean ignoreStdin;

    private NodeOptions(Path dataDirectory, int port, String host, String clusterName, boolean ignoreStdin) {
        this.dataDirectory = dataDirectory;
        this.port = port;
        this.host = host;
        this.clusterName = clusterName;
        this.ignoreStdin = ignoreStdin;
    }

    /** A bad command line, reported in one line with exit code 2. */
    static final class UsageException extends Exception {
        UsageException(String message) {
            super(message);
        }
    }

    static NodeOptions parse(String... args) throws UsageException {
        Path data = null;
        Integer port = null;
        String host = "127.0.0.1";
        String cluster = "postino";
        boolean ignoreStdin = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--data":
                    String dir = value(args, ++i, arg);
                    try {
                        data = Path.of(dir).toAbsolutePath().normalize();
                    } catch (RuntimeException e) {
                        throw new UsageException("--data: not a usable path: '" + dir + "'");
                    }
                    break;
                case "--port":
                    String p = value(args, ++i, arg);
                    try {
                        port = Integer.parseInt(p);
                    } catch (NumberFormatException e) {
                        throw new UsageException("--port: not a number: '" + p + "'");
                    }
                    if (port < 0 || port > 65535) {
                        throw new UsageException("--port: out of range 0..65535: " + port);
                    }
                    break;
                case "--host":
                    host = value(args, ++i, arg);
                    break;
                case "--cluster":
                    cluster = value(args, ++i, arg);
                    if (!CLUSTER_NAME.matcher(cluster).matches()) {
                        throw new UsageException("--cluster: letters, digits, '_', '.', '-' only (at most 64): '" + cluster + "'");
                    }
                    break;
                case "--ignore-stdin":
                    ignoreStdin = true;
                    break;
                default:
                    throw new UsageException("unknown argument '" + arg + "'; " + USAGE);
            }
        }
        if (data == null) {
            throw new UsageException("--data is required; " + USAGE);
        }
        if (port == null) {
            throw new UsageException("--port is required; " + USAGE);
        }
        requireLoopback(host);
        return new NodeOptions(data, port, host, cluster, ignoreStdin);
    }

    private static String value(String[] args, int i, String option) throws UsageException {
        if (i >= args.length || args[i].startsWith("--")) {
            throw new UsageException(option + " needs a value; " + USAGE);
        }
        return args[i];
    }

    /** The node has no security plugin: whoever reaches its HTTP port owns the index. Loopback only. */
    private static void requireLoopback(String host) throws UsageException {
        Objects.requireNonNull(host);
        InetAddress address;
        try {
            // a literal or a name from /etc/hosts ("localhost"); no DNS for anything else that matters
            address = InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new UsageException("--host: unknown host '" + host + "'");
        }
        if (!address.isLoopbackAddress()) {
            throw new UsageException("--host: must be a loopback address (the node has no authentication), not '" + host + "'");
        }
    }
}
