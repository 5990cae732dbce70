package org.postino.server.jmap;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;

import org.postino.extensions.smtp.Sizes;
import org.postino.server.config.StrictProperties;
import org.postino.server.tls.SelfSignedKeystore;

/**
 * The JMAP listener's settings, from {@code conf/jmap.properties}. Every key is read here, strictly; a missing file
 * means every default. James's own JMAP keys are not read from that file: Postino hands James its configuration.
 *
 * <table>
 *   <caption>Keys</caption>
 *   <tr><td>{@code enabled}</td><td>{@code true} (default) or {@code false}.</td></tr>
 *   <tr><td>{@code bind}</td><td>{@code host:port} of the HTTPS listener; default {@code 0.0.0.0:443}. A wildcard host
 *       follows {@code listen.address}, a port below 1024 follows {@code privileged.ports} (postino.properties).</td></tr>
 *   <tr><td>{@code tls.keystore}</td><td>the listener's certificate and key (PKCS12 or JKS file); relative paths are
 *       relative to the installation directory. Default: the listeners' self-signed keystore,
 *       {@code <data.dir>/tls/selfsigned.p12}.</td></tr>
 *   <tr><td>{@code tls.keystoreType}</td><td>{@code PKCS12} (default) or {@code JKS}.</td></tr>
 *   <tr><td>{@code tls.secret}</td><td>the keystore's password; default the self-signed keystore's.</td></tr>
 *   <tr><td>{@code url.prefix}</td><td>the public {@code https://} address clients reach this listener at, as the JMAP
 *       session announces it (behind a proxy, the proxy's); default {@code https://<host name>:<port>}.</td></tr>
 *   <tr><td>{@code upload.max.size}</td><td>largest blob a client may upload (attachments), with K, M or G; default 30M.</td></tr>
 *   <tr><td>{@code autoconfig.enabled}</td><td>{@code true} (default): the listener also answers mail clients' automatic
 *       set-up requests (Outlook Autodiscover, Thunderbird autoconfig); see {@code org.postino.server.autoconfig}.</td></tr>
 *   <tr><td>{@code autoconfig.requestsPerMinute}</td><td>how many set-up requests one client address (IPv4 address,
 *       IPv6 /64) may make per minute, in bursts of as many; default 30, {@code 0} for no limit.</td></tr>
 * </table>
 */
public record JmapSettings(boolean enabled, String host, int port, Path keystore, String keystoreType, String secret,
                           URI urlPrefix, long maxUploadBytes, boolean autoconfig, int autoconfigPerMinute) {

    public static final String FILE = "jmap.properties";
    static final String DEFAULT_BIND = "0.0.0.0:443";
    static final long DEFAULT_UPLOAD = 30L << 20;
    static final int DEFAULT_AUTOCONFIG_PER_MINUTE = 30;

    /**
     * @param effectiveBind turns the configured {@code host:port} into the one really bound (listen address, privileged
     *                      port shift); see {@code ListenerPolicy}
     */
    public static JmapSettings from(StrictProperties properties, Path home, Path dataDirectory, String hostname,
                                    java.util.function.UnaryOperator<String> effectiveBind) {
        boolean enabled = properties.bool("enabled").orElse(true);
        String written = properties.string("bind").orElse(DEFAULT_BIND);
        int colon = written.lastIndexOf(':');
        if (colon <= 0 || written.contains(",")) {
            throw properties.error("bind", written, "expected one host:port, such as 0.0.0.0:443");
        }
        int writtenPort;
        try {
            writtenPort = Integer.parseInt(written.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw properties.error("bind", written, "expected one host:port, such as 0.0.0.0:443");
        }
        if (writtenPort < 1 || writtenPort > 65535) {
            throw properties.error("bind", written, "the port must be 1..65535");
        }
        String effective = enabled ? effectiveBind.apply(written) : written;
        int effectiveColon = effective.lastIndexOf(':');
        String host = effective.substring(0, effectiveColon);
        int port = Integer.parseInt(effective.substring(effectiveColon + 1));

        Path keystore = properties.string("tls.keystore")
            .map(text -> home.resolve(text.startsWith("file://") ? text.substring("file://".length()) : text))
            .orElse(dataDirectory.resolve(SelfSignedKeystore.RELATIVE_PATH))
            .toAbsolutePath().normalize();
        String type = properties.string("tls.keystoreType").map(text -> text.toUpperCase(Locale.ROOT)).orElse("PKCS12");
        if (!type.equals("PKCS12") && !type.equals("JKS")) {
            throw properties.error("tls.keystoreType", type, "expected PKCS12 or JKS");
        }
        String secret = properties.string("tls.secret").orElse(SelfSignedKeystore.PASSWORD);

        String defaultPrefix = "https://" + hostname + (port == 443 ? "" : ":" + port);
        String prefixText = properties.string("url.prefix").orElse(defaultPrefix);
        URI prefix;
        try {
            prefix = new URI(prefixText);
        } catch (URISyntaxException e) {
            throw properties.error("url.prefix", prefixText, "expected an https:// address, such as https://mail.example.com");
        }
        if (!"https".equalsIgnoreCase(prefix.getScheme()) || prefix.getHost() == null
            || (prefix.getPath() != null && !prefix.getPath().isEmpty() && !prefix.getPath().equals("/"))
            || prefix.getQuery() != null) {
            throw properties.error("url.prefix", prefixText,
                "expected an https:// address with no path, such as https://mail.example.com");
        }
        long upload = properties.string("upload.max.size").map(text -> {
            OptionalLong bytes = Sizes.bytes(text, 'g');
            if (bytes.isEmpty() || bytes.getAsLong() < 1024) {
                throw properties.error("upload.max.size", text, "expected a size of at least 1K, such as 30M");
            }
            return bytes.getAsLong();
        }).orElse(DEFAULT_UPLOAD);
        boolean autoconfig = properties.bool("autoconfig.enabled").orElse(true);
        int perMinute = properties.intInRange("autoconfig.requestsPerMinute", 0, 100_000).orElse(DEFAULT_AUTOCONFIG_PER_MINUTE);
        properties.rejectUnknownKeys();
        return new JmapSettings(enabled, host, port, keystore, type, secret,
            URI.create(prefix.getScheme().toLowerCase(Locale.ROOT) + "://" + prefix.getRawAuthority()), upload,
            autoconfig, perMinute);
    }

    /** The WebSocket address the session announces, beside {@link #urlPrefix()}. */
    public URI websocketPrefix() {
        return URI.create("wss://" + urlPrefix.getRawAuthority());
    }

    public Optional<String> describe() {
        return enabled ? Optional.of("https://" + host + ":" + port) : Optional.empty();
    }
}
