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
import org.postino.mailets.delivery.fairness.FairnessSettings;
import org.postino.mailets.delivery.policy.Durations;

/**
 * The engine's own parameters (the delivery policy's are in {@code DeliveryPolicies}):
 * {@code outgoingQueue} (default {@code outgoing}), {@code deliveryThreads} (1..500, default 10),
 * {@code heloName} (default: this host's canonical name; also the Reporting-MTA of notices),
 * {@code dnsServers} (comma list of {@code host} or {@code host:port}; default: the system resolver),
 * {@code dnsTimeout} (default {@code 10s}), {@code noticeLanguage} ({@code english} or {@code italian},
 * default {@code english}), {@code port} (the port of remote servers, default 25; for test set-ups), and fairness:
 * {@code destinationConcurrency} (1..500, default 20), {@code initialDestinationConcurrency} (1..destinationConcurrency,
 * default 5 or the limit if lower), {@code deadDestinationFailures} (1..1000, default 5), {@code deadDestinationBackoff}
 * (greater than zero, at most 1d, default {@code 5m}) and {@code deadDestinationMaxBackoff} (from the backoff to 1d,
 * default {@code 1h}, or the backoff if longer); see {@code DestinationGate}; {@code failureProcessor} (default none:
 * the processor that gets a copy of mail given up on, see {@code FailedMail}).
 */
final class EngineSettings {

    static final Set<String> KEYS = Set.of("outgoingQueue", "deliveryThreads", "heloName", "dnsServers", "dnsTimeout",
        "noticeLanguage", "port", "destinationConcurrency", "initialDestinationConcurrency", "deadDestinationFailures",
        "deadDestinationBackoff", "deadDestinationMaxBackoff", "failureProcessor");

    final String outgoingQueue;
    final int deliveryThreads;
    final String heloName;
    final Optional<List<InetSocketAddress>> dnsServers;
    final Duration dnsTimeout;
    final Language noticeLanguage;
    final int port;
    final FairnessSettings fairness;
    final Optional<String> failureProcessor;

    private EngineSettings(String outgoingQueue, int deliveryThreads, String heloName, Optional<List<InetSocketAddress>> dnsServers,
                           Duration dnsTimeout, Language noticeLanguage, int port, FairnessSettings fairness,
                           Optional<String> failureProcessor) {
        this.outgoingQueue = outgoingQueue;
        this.deliveryThreads = deliveryThreads;
        this.heloName = heloName;
        this.dnsServers = dnsServers;
        this.dnsTimeout = dnsTimeout;
        this.noticeLanguage = noticeLanguage;
        this.port = port;
        this.fairness = fairness;
        this.failureProcessor = failureProcessor;
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
        FairnessSettings fairness = fairness(config, problems);
        Optional<String> failureProcessor = value(config, "failureProcessor");
        failureProcessor.filter(processor -> !processor.matches("[A-Za-z0-9_.-]+")).ifPresent(processor ->
            problems.add(name + ": failureProcessor = '" + processor + "': expected the name of a processor"));
        if (!problems.isEmpty()) {
            throw new MessagingException(String.join("\n", problems));
        }
        return new EngineSettings(queue, threads, helo, servers, dnsTimeout, language, port, fairness, failureProcessor);
    }

    private static FairnessSettings fairness(MailetConfig config, List<String> problems) {
        int limit = intValue(config, "destinationConcurrency", 1, FairnessSettings.MAX_DESTINATION_CONCURRENCY,
            FairnessSettings.DEFAULT_DESTINATION_CONCURRENCY, problems);
        // The default start never exceeds a lower limit; a start written above the limit is an error.
        int initial = intValue(config, "initialDestinationConcurrency", 1, limit,
            Math.min(FairnessSettings.DEFAULT_INITIAL_DESTINATION_CONCURRENCY, limit), problems);
        int failures = intValue(config, "deadDestinationFailures", 1, FairnessSettings.MAX_DEAD_DESTINATION_FAILURES,
            FairnessSettings.DEFAULT_DEAD_DESTINATION_FAILURES, problems);
        Duration backoff = backoffValue(config, "deadDestinationBackoff", Duration.ofMillis(1),
            FairnessSettings.DEFAULT_DEAD_DESTINATION_BACKOFF, problems);
        Duration longest = backoffValue(config, "deadDestinationMaxBackoff", backoff,
            max(FairnessSettings.DEFAULT_DEAD_DESTINATION_MAX_BACKOFF, backoff), problems);
        return FairnessSettings.of(limit, initial, failures, backoff, longest);
    }

    /** A duration from {@code min} to {@link FairnessSettings#MAX_BACKOFF}. */
    private static Duration backoffValue(MailetConfig config, String key, Duration min, Duration defaultValue, List<String> problems) {
        Optional<String> text = value(config, key);
        if (text.isEmpty()) {
            return defaultValue;
        }
        Optional<Duration> parsed = Durations.parse(text.get());
        if (parsed.isPresent() && parsed.get().compareTo(min) >= 0 && parsed.get().compareTo(FairnessSettings.MAX_BACKOFF) <= 0) {
            return parsed.get();
        }
        String from = min.equals(Duration.ofMillis(1)) ? "greater than zero" : "at least " + Durations.format(min);
        problems.add(config.getMailetName() + ": " + key + " = '" + text.get() + "': expected a duration " + from
            + " and at most " + Durations.format(FairnessSettings.MAX_BACKOFF) + " (" + Durations.EXPECTED + ")");
        return defaultValue;
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
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
