package org.postino.mailets.delivery.engine;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import javax.mail.MessagingException;

import org.apache.mailet.MailetConfig;
import org.postino.mailets.delivery.dsn.Language;
import org.postino.mailets.delivery.policy.Durations;

/**
 * The engine's own parameters (the delivery policy's are in {@code DeliveryPolicies}):
 * {@code outgoingQueue} (default {@code outgoing}), {@code deliveryThreads} (1..500, default 10),
 * {@code heloName} (default: this host's canonical name; also the Reporting-MTA of notices),
 * {@code dnsServers} (comma list of {@code host} or {@code host:port}; default: the system resolver),
 * {@code dnsTimeout} (default {@code 10s}), {@code noticeLanguage} ({@code english} or {@code italian},
 * default {@code english}), {@code port} (the port of remote servers, default 25; for test set-ups).
 */
final class EngineSettings {

    static final Set<String> KEYS = Set.of("outgoingQueue", "deliveryThreads", "heloName", "dnsServers", "dnsTimeout",
        "noticeLanguage", "port");

    final String outgoingQueue;
    final int deliveryThreads;
    final String heloName;
    final Optional<List<InetSocketAddress>> dnsServers;
    final Duration dnsTimeout;
    final Language noticeLanguage;
    final int port;

    private EngineSettings(String outgoingQueue, int deliveryThreads, String heloName, Optional<List<InetSocketAddress>> dnsServers,
                           Duration dnsTimeout, Language noticeLanguage, int port) {
        this.outgoingQueue = outgoingQueue;
        this.deliveryThreads = deliveryThreads;
        this.heloName = heloName;
        this.dnsServers = dnsServers;
        this.dnsTimeout = dnsTimeout;
        this.noticeLanguage = noticeLanguage;
        this.port = port;
    }

    static EngineSettings from(MailetConfig config) throws MessagingException {
        List<String> problems = new ArrayList<>();
        String name = config.getMailetName();
        String queue = value(config, "outgoingQueue").orElse("outgoing");
        int threads = intValue(config, "deliveryThreads", 1, 500, 10, problems);
        int port = intValue(config, "port", 1, 65535, 25, problems);
        String helo = value(config, "heloName").orElseGet(EngineSettings::localHostName);
        Duration dnsTimeout = value(config, "dnsTimeout").map(text -> Durations.parse(text).orElseGet(() -> {
            problems.add(name + ": dnsTimeout = '" + text + "': " + Durations.EXPECTED);
            return Duration.ofSeconds(10);
        })).orElse(Duration.ofSeconds(10));
        Language language = value(config, "noticeLanguage").map(text -> Language.parse(text).orElseGet(() -> {
            problems.add(name + ": noticeLanguage = '" + text + "': expected english or italian");
            return Language.ENGLISH;
        })).orElse(Language.ENGLISH);
        Optional<List<InetSocketAddress>> servers = value(config, "dnsServers").map(text -> servers(name, text, problems));
        if (!problems.isEmpty()) {
            throw new MessagingException(String.join("\n", problems));
        }
        return new EngineSettings(queue, threads, helo, servers, dnsTimeout, language, port);
    }

    private static List<InetSocketAddress> servers(String name, String text, List<String> problems) {
        List<InetSocketAddress> servers = new ArrayList<>();
        for (String entry : text.split(",")) {
            String trimmed = entry.trim();
            int colon = trimmed.lastIndexOf(':');
            boolean hasPort = colon > 0 && trimmed.indexOf(':') == colon;
            try {
                String host = hasPort ? trimmed.substring(0, colon) : trimmed;
                int port = hasPort ? Integer.parseInt(trimmed.substring(colon + 1)) : 53;
                servers.add(new InetSocketAddress(InetAddress.getByName(host), port));
            } catch (NumberFormatException | UnknownHostException e) {
                problems.add(name + ": dnsServers = '" + text + "': '" + trimmed + "' is not an address or address:port");
            }
        }
        return servers;
    }

    private static Optional<String> value(MailetConfig config, String key) {
        return Optional.ofNullable(config.getInitParameter(key)).map(String::trim).filter(text -> !text.isEmpty());
    }

    private static int intValue(MailetConfig config, String key, int min, int max, int defaultValue, List<String> problems) {
        Optional<String> text = value(config, key);
        if (text.isEmpty()) {
            return defaultValue;
        }
        try {
            int parsed = Integer.parseInt(text.get());
            if (parsed >= min && parsed <= max) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        problems.add(config.getMailetName() + ": " + key + " = '" + text.get() + "': expected a whole number from " + min + " to " + max);
        return defaultValue;
    }

    private static String localHostName() {
        try {
            return InetAddress.getLocalHost().getCanonicalHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }
}
