package org.postino.mailets.delivery.policy;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

import javax.mail.MessagingException;

/**
 * Reads {@link DeliveryPolicies} from mailet parameters and collects every problem before failing, reported in the order
 * of the keys. Each problem is blamed on one key the operator wrote: a value that contradicts another (a lifetime
 * shorter than a delay-notice threshold) is blamed on the one written in the override when only one of them is.
 */
final class DeliveryPoliciesParser {

    /** Read by James's mailet container itself, valid on every mailet. */
    private static final Set<String> CONTAINER_KEYS = Set.of("onMailetException", "onMatchException", "debug");
    private static final String DOMAIN_PREFIX = "domain.";

    /** A parameter as the operator wrote it. */
    private record Setting(String key, String value) {
    }

    /** One line of the error message, about one key. */
    private record Problem(String key, String line) {
    }

    private final String mailetName;
    private final Set<String> ownedKeys;
    private final List<Problem> problems = new ArrayList<>();
    private final Map<PolicyParameter, Setting> defaultScope = new EnumMap<>(PolicyParameter.class);
    private final Map<String, Map<PolicyParameter, Setting>> overrideScopes = new TreeMap<>();

    private DeliveryPoliciesParser(String mailetName, Set<String> ownedKeys) {
        this.mailetName = Objects.requireNonNull(mailetName);
        this.ownedKeys = Set.copyOf(ownedKeys);
    }

    static DeliveryPolicies parse(String mailetName, Map<String, String> parameters, Set<String> ownedKeys)
            throws MessagingException {
        return new DeliveryPoliciesParser(mailetName, ownedKeys).parse(parameters);
    }

    private DeliveryPolicies parse(Map<String, String> parameters) throws MessagingException {
        new TreeMap<>(parameters).forEach((key, value) -> classify(key, Optional.ofNullable(value).orElse("")));
        DeliveryPolicy.Builder defaults = read(DeliveryPolicy.builder(), defaultScope);
        Map<String, DeliveryPolicy.Builder> overrides = new LinkedHashMap<>();
        overrideScopes.forEach((domain, scope) -> overrides.put(domain, read(defaults.copy(), scope)));
        if (!problems.isEmpty()) {
            throw new MessagingException(problems.stream()
                .sorted(Comparator.comparing(Problem::key))
                .map(Problem::line)
                .collect(Collectors.joining("\n")));
        }
        Map<String, DeliveryPolicy> policies = new LinkedHashMap<>();
        overrides.forEach((domain, builder) -> policies.put(domain, builder.build()));
        return DeliveryPolicies.of(defaults.build(), policies);
    }

    private void classify(String key, String value) {
        Optional<PolicyParameter> parameter = PolicyParameter.ofKey(key);
        if (parameter.isPresent()) {
            defaultScope.put(parameter.get(), new Setting(key, value));
        } else if (key.startsWith(DOMAIN_PREFIX)) {
            classifyOverride(new Setting(key, value));
        } else if (!CONTAINER_KEYS.contains(key) && !ownedKeys.contains(key)) {
            problem(new Setting(key, value), "no such parameter; expected one of " + PolicyParameter.keys()
                + ", domain.<domain>.<one of those>" + othersAccepted());
        }
    }

    private void classifyOverride(Setting setting) {
        String rest = setting.key().substring(DOMAIN_PREFIX.length());
        Optional<PolicyParameter> parameter = PolicyParameter.suffixOf(rest);
        if (parameter.isEmpty()) {
            problem(setting, "no such parameter; expected domain.<domain>.<parameter> with a parameter among "
                + PolicyParameter.keys());
            return;
        }
        String suffix = "." + parameter.get().key();
        Optional<String> domain = DeliveryPolicies.normalizeOverride(rest.substring(0, rest.length() - suffix.length()));
        if (domain.isEmpty()) {
            problem(setting, "a domain name between 'domain.' and '" + suffix + "', e.g. domain.example.com" + suffix
                + ", or domain..example.com" + suffix + " for example.com and its subdomains");
            return;
        }
        Map<PolicyParameter, Setting> scope =
            overrideScopes.computeIfAbsent(domain.get(), ignored -> new EnumMap<>(PolicyParameter.class));
        Setting earlier = scope.putIfAbsent(parameter.get(), setting);
        if (earlier != null) {
            problem(setting, "one value per domain and parameter, but " + earlier.key() + " sets it too");
        }
    }

    /** Writes a scope's settings over what the builder inherited, then checks that they agree with each other. */
    private DeliveryPolicy.Builder read(DeliveryPolicy.Builder builder, Map<PolicyParameter, Setting> scope) {
        Set<PolicyParameter> unreadable = EnumSet.noneOf(PolicyParameter.class);
        scope.forEach((parameter, setting) -> {
            try {
                parameter.apply(setting.value(), builder);
            } catch (IllegalArgumentException notAcceptable) {
                unreadable.add(parameter);
                problem(setting, parameter.expected());
            }
        });
        builder.inconsistencies().forEach(inconsistency -> blame(inconsistency, builder, scope, unreadable));
        return builder;
    }

    /**
     * Reports an inconsistency against the key written in this scope, preferring the first of the pair; stays silent
     * when neither is written here (the default's own problem is reported once, not per override) or when one could
     * not be read (that problem is already reported).
     */
    private void blame(DeliveryPolicy.Inconsistency inconsistency, DeliveryPolicy.Builder builder,
                       Map<PolicyParameter, Setting> scope, Set<PolicyParameter> unreadable) {
        String lifetime = Durations.format(builder.lifetime());
        switch (inconsistency) {
            case FIRST_RETRY_AFTER_LIFETIME:
                blameFirstWritten(scope, unreadable,
                    PolicyParameter.LIFETIME, "a duration no shorter than the first retry step ("
                        + Durations.format(builder.firstRetryStep()) + "), or the message is given up before its first retry",
                    PolicyParameter.RETRY_SCHEDULE, "a first step no longer than the lifetime (" + lifetime + ")");
                break;
            case DELAY_NOTICE_NOT_BEFORE_LIFETIME:
                blameFirstWritten(scope, unreadable,
                    PolicyParameter.DELAY_NOTICES, "thresholds shorter than the lifetime (" + lifetime
                        + "), as a notice due at or after it is never sent; or none",
                    PolicyParameter.LIFETIME, "a duration longer than the last delay notice threshold ("
                        + Durations.format(builder.lastDelayNotice()) + "); or lower delayNotices, or set it to none");
                break;
            default:
                throw new IllegalStateException("unexpected inconsistency " + inconsistency);
        }
    }

    private void blameFirstWritten(Map<PolicyParameter, Setting> scope, Set<PolicyParameter> unreadable,
                                   PolicyParameter first, String firstExpected,
                                   PolicyParameter second, String secondExpected) {
        if (unreadable.contains(first) || unreadable.contains(second)) {
            return;
        }
        if (scope.containsKey(first)) {
            problem(scope.get(first), firstExpected);
        } else if (scope.containsKey(second)) {
            problem(scope.get(second), secondExpected);
        }
    }

    private String othersAccepted() {
        Set<String> others = new TreeSet<>(CONTAINER_KEYS);
        others.addAll(ownedKeys);
        return ", or " + String.join(", ", others);
    }

    private void problem(Setting setting, String expected) {
        problems.add(new Problem(setting.key(),
            mailetName + ": " + setting.key() + " = '" + oneLine(setting.value()) + "': " + expected));
    }

    /** A value written over several lines in the XML must not break the one-problem-per-line message. */
    private static String oneLine(String value) {
        return value.replaceAll("\\s*\\R\\s*", " ");
    }
}
