package org.postino.server.network;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.apache.commons.configuration2.HierarchicalConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.commons.configuration2.tree.ImmutableNode;
import org.apache.james.server.core.configuration.ConfigurationProvider;
import org.apache.james.util.LoggingLevel;
import org.postino.server.config.ConfigurationError;
import org.postino.server.config.PostinoSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies {@code listen.address} and the privileged-port policy of {@link PostinoSettings} to the
 * {@code <bind>} of every protocol listener, as James reads its files. The files themselves keep
 * the standard ports; what a listener really binds is logged at start-up.
 */
public final class ListenerPolicy implements ConfigurationProvider {

    private static final Logger LOGGER = LoggerFactory.getLogger(ListenerPolicy.class);
    private static final Set<String> LISTENERS = Set.of(
        "smtpserver", "imapserver", "pop3server", "lmtpserver", "managesieveserver");

    /** Tells whether an address can be bound right now; the start-up check before James tries. */
    @FunctionalInterface
    public interface AddressProbe {
        boolean inUse(String host, int port);

        AddressProbe NONE = (host, port) -> false;
    }

    private final ConfigurationProvider files;
    private final PostinoSettings settings;
    private final boolean mayBindPrivileged;
    private final AddressProbe probe;

    public ListenerPolicy(ConfigurationProvider files, PostinoSettings settings, boolean mayBindPrivileged) {
        this(files, settings, mayBindPrivileged, AddressProbe.NONE);
    }

    public ListenerPolicy(ConfigurationProvider files, PostinoSettings settings, boolean mayBindPrivileged, AddressProbe probe) {
        this.files = files;
        this.settings = settings;
        this.mayBindPrivileged = mayBindPrivileged;
        this.probe = probe;
    }

    @Override
    public HierarchicalConfiguration<ImmutableNode> getConfiguration(String component, LoggingLevel loggingLevel)
        throws ConfigurationException {
        HierarchicalConfiguration<ImmutableNode> configuration = files.getConfiguration(component, loggingLevel);
        if (LISTENERS.contains(component)) {
            rewriteBinds(component, configuration);
        }
        return configuration;
    }

    private void rewriteBinds(String component, HierarchicalConfiguration<ImmutableNode> configuration) {
        int last = configuration.getMaxIndex(component);
        for (int i = 0; i <= last; i++) {
            String key = component + "(" + i + ").bind";
            String bind = configuration.getString(key, null);
            if (bind == null) {
                continue;
            }
            String effective = rewrite(component + ".xml", "bind", bind);
            if (!effective.equals(bind)) {
                configuration.setProperty(key, effective);
            }
            String name = configuration.getString(component + "(" + i + ").jmxName", component);
            boolean enabled = configuration.getBoolean(component + "(" + i + ")[@enabled]", true);
            if (enabled) {
                checkAvailable(component + ".xml", component + "[" + name + "]/bind", effective);
                LOGGER.info("{} listens on {}", name, effective);
            }
        }
    }

    /**
     * The address a listener really binds: a wildcard host becomes {@code listen.address} when that is set, a
     * port below 1024 moves by {@code privileged.ports.shift} when this process may not bind it (or start-up
     * stops, naming {@code file} and {@code key}, with {@code privileged.ports=fail}).
     */
    public String rewrite(String file, String key, String bind) {
        return rewrite(file, key, bind, true);
    }

    /**
     * The listener file {@code component} ({@code smtpserver}, {@code imapserver}...) as James reads it, each
     * {@code <bind>} rewritten as {@link #getConfiguration} does, but quietly: nothing logged, no check that the address
     * is free. For components that describe the running listeners to others (client set-up answers), after start-up.
     */
    public HierarchicalConfiguration<ImmutableNode> effectiveConfiguration(String component) throws ConfigurationException {
        HierarchicalConfiguration<ImmutableNode> configuration = files.getConfiguration(component, LoggingLevel.DEBUG);
        int last = configuration.getMaxIndex(component);
        for (int i = 0; i <= last; i++) {
            String key = component + "(" + i + ").bind";
            String bind = configuration.getString(key, null);
            if (bind != null) {
                configuration.setProperty(key, rewrite(component + ".xml", "bind", bind, false));
            }
        }
        return configuration;
    }

    private String rewrite(String file, String key, String bind, boolean log) {
        List<String> addresses = new ArrayList<>();
        for (String address : bind.split(",")) {
            String trimmed = address.trim();
            int colon = trimmed.lastIndexOf(':');
            String written = trimmed.substring(0, colon);
            // Only wildcard binds move: a listener kept on loopback on purpose (LMTP, ManageSieve) stays there.
            String host = isWildcard(written) ? settings.listenAddress().orElse(written) : written;
            int port = Integer.parseInt(trimmed.substring(colon + 1));
            if (port < 1024 && !mayBindPrivileged) {
                if (settings.privilegedPorts() == PostinoSettings.PrivilegedPorts.FAIL) {
                    throw new ConfigurationError(file, key, trimmed,
                        "this process may not bind ports below 1024 and postino.properties says privileged.ports=fail");
                }
                int shifted = port + settings.privilegedShift();
                if (log) {
                    LOGGER.warn("Cannot bind port {} without root or CAP_NET_BIND_SERVICE: using {} instead "
                        + "(privileged.ports=shift in postino.properties)", port, shifted);
                }
                port = shifted;
            }
            addresses.add(host + ":" + port);
        }
        return String.join(",", addresses);
    }

    /** Stops start-up, naming the file and the key, when another process holds one of the addresses. */
    public void checkAvailable(String file, String key, String binds) {
        for (String address : binds.split(",")) {
            int colon = address.lastIndexOf(':');
            if (probe.inUse(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1)))) {
                throw new ConfigurationError(file, key, address, "address already in use by another process");
            }
        }
    }

    /** Binds and releases the address: "in use" only when another socket holds it. */
    public static boolean addressInUse(String host, int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(host, port));
            return false;
        } catch (BindException e) {
            return e.getMessage() != null && e.getMessage().contains("in use");
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean isWildcard(String host) {
        return host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]") || host.equals("*");
    }

    /**
     * Whether this process may bind ports below 1024, found by trying: being root is not the only
     * way (capabilities, {@code net.ipv4.ip_unprivileged_port_start}).
     */
    public static boolean mayBindPrivilegedPorts() {
        for (int port = 1023; port > 1000; port--) {
            try (ServerSocket socket = new ServerSocket()) {
                socket.bind(new InetSocketAddress("127.0.0.1", port));
                return true;
            } catch (BindException e) {
                if (e.getMessage() != null && e.getMessage().contains("ermission")) {
                    return false;
                }
                // in use: try another one
            } catch (IOException e) {
                return false;
            }
        }
        return false;
    }
}
