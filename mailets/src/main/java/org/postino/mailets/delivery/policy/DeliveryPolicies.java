package org.postino.mailets.delivery.policy;

import java.net.IDN;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import javax.mail.MessagingException;

import org.apache.mailet.MailetConfig;

/**
 * The delivery policy of every destination: a default, and overrides for chosen destination domains.
 *
 * <h2>Parameters</h2>
 * Durations are written as people write them: a whole number and a unit, {@code ms}, {@code s}, {@code m},
 * {@code h}, {@code d} or {@code w}, e.g. {@code 250ms}, {@code 30s}, {@code 5m}, {@code 4h}, {@code 1d},
 * {@code 2w} (any case, a space allowed before the unit, no unit-less numbers). Lists are comma-separated.
 * <table>
 *   <caption>Delivery policy parameters</caption>
 *   <tr><th>parameter</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@code retrySchedule}</td><td>{@code 5m, 10m, 20m, 40m, 1h...}</td>
 *       <td>The waits after the first, second, ... failed attempt. The last step repeats until the message is
 *       delivered or given up; a trailing {@code ...} says so explicitly and may be left out. Every step greater
 *       than zero; the first no longer than {@code lifetime}. The default is Postfix's backoff (300s doubling up to
 *       4000s) in round figures.</td></tr>
 *   <tr><td>{@code retryJitter}</td><td>{@code 0.1}</td>
 *       <td>How much each wait is randomised, from {@code 0} (exact) to {@code 0.5}: {@code 0.1} turns a 10m step
 *       into 9m to 11m, so that mail deferred together is not retried together.</td></tr>
 *   <tr><td>{@code lifetime}</td><td>{@code 5d}</td>
 *       <td>How long after the first attempt an undelivered message is given up and returned to its sender with a
 *       {@code failed} notice (Postfix's {@code maximal_queue_lifetime}). Greater than zero, no shorter than the
 *       first retry step, and longer than every delay-notice threshold.</td></tr>
 *   <tr><td>{@code maxAttempts}</td><td>{@code none}</td>
 *       <td>Also give up after this many attempts, whichever of the two limits comes first. A whole number of at
 *       least 1, or {@code none} for no limit but the lifetime.</td></tr>
 *   <tr><td>{@code delayNotices}</td><td>{@code 4h}</td>
 *       <td>After how long the sender is told that the message is delayed and still being retried (a
 *       {@code delayed} notice). A list such as {@code 4h, 1d, 3d} sends up to one notice per threshold and
 *       recipient; a message that passes several thresholds between two attempts gets a single notice for all of
 *       them. Each threshold greater than zero and shorter than {@code lifetime}, since a later one could never be
 *       sent. {@code none}: no delay notices.</td></tr>
 *   <tr><td>{@code connectTimeout}</td><td>{@code 30s}</td>
 *       <td>The wait for a TCP connection to a remote server. Greater than zero, at most {@code 1h}.</td></tr>
 *   <tr><td>{@code commandTimeout}</td><td>{@code 5m}</td>
 *       <td>The wait for the greeting and for the reply to each command (RFC 5321 section 4.5.3.2). Greater than
 *       zero, at most {@code 1h}.</td></tr>
 *   <tr><td>{@code dataTimeout}</td><td>{@code 10m}</td>
 *       <td>The wait for the reply once the whole message has been sent. Greater than zero, at most
 *       {@code 1h}.</td></tr>
 *   <tr><td>{@code tls}</td><td>{@code opportunistic}</td>
 *       <td>{@code opportunistic}: STARTTLS whenever the remote server offers it, plaintext otherwise.
 *       {@code required}: STARTTLS or no delivery; a server that does not offer it, or whose handshake fails, is a
 *       temporary failure, never a plaintext delivery. Neither implies a certificate check.</td></tr>
 *   <tr><td>{@code maxRecipientsPerTransaction}</td><td>{@code 100}</td>
 *       <td>The most recipients sent in one SMTP transaction; more recipients for the same destination go in
 *       further transactions. From 1 to 1000.</td></tr>
 * </table>
 *
 * <h2>Per-destination overrides</h2>
 * {@code domain.<domain>.<parameter>} sets one of the parameters above for one destination domain, e.g.
 * {@code domain.example.com.tls = required}. Every parameter an override does not set is the default policy's
 * value, as configured. An override written for {@code example.com} applies to {@code example.com} only; one
 * written for {@code .example.com} (so {@code domain..example.com.tls}, with two dots) applies to
 * {@code example.com} and to all its subdomains. The most specific override wins: {@code example.com} before
 * {@code .example.com}, and {@code .mail.example.com} before {@code .example.com}; overrides do not inherit from
 * each other, only from the default. Domains are matched in any case, in their ASCII form ({@code xn--...}).
 *
 * <h2>Errors</h2>
 * Any other parameter, apart from James's own {@code onMailetException}, {@code onMatchException} and
 * {@code debug} and those of the mailet itself, and any bad value stop the server at start-up. Every problem is
 * reported at once, one per line, as {@code <mailet>: <parameter> = '<value>': <what is expected>}.
 *
 * <h2>Example</h2>
 * <pre>{@code
 * <mailet match="All" class="org.postino.mailets.RemoteDelivery">
 *     <retrySchedule>5m, 10m, 20m, 40m, 1h, 2h, 4h...</retrySchedule>
 *     <retryJitter>0.1</retryJitter>
 *     <lifetime>5d</lifetime>
 *     <maxAttempts>none</maxAttempts>
 *     <delayNotices>4h, 1d, 3d</delayNotices>
 *     <connectTimeout>30s</connectTimeout>
 *     <commandTimeout>5m</commandTimeout>
 *     <dataTimeout>10m</dataTimeout>
 *     <tls>opportunistic</tls>
 *     <maxRecipientsPerTransaction>100</maxRecipientsPerTransaction>
 *     <domain.bank.example.tls>required</domain.bank.example.tls>
 *     <domain..slow.example.lifetime>10d</domain..slow.example.lifetime>
 *     <domain..slow.example.delayNotices>1d, 5d</domain..slow.example.delayNotices>
 * </mailet>
 * }</pre>
 */
public final class DeliveryPolicies {

    private static final Pattern DOMAIN = Pattern.compile(
        "(?=.{1,253}$)[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?(\\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*");

    private final DeliveryPolicy defaultPolicy;
    private final Map<String, DeliveryPolicy> overrides;

    private DeliveryPolicies(DeliveryPolicy defaultPolicy, Map<String, DeliveryPolicy> overrides) {
        this.defaultPolicy = Objects.requireNonNull(defaultPolicy);
        this.overrides = Map.copyOf(overrides);
    }

    /** The same policy for every destination. */
    public static DeliveryPolicies of(DeliveryPolicy defaultPolicy) {
        return new DeliveryPolicies(defaultPolicy, Map.of());
    }

    /**
     * @param overrides by domain, {@code example.com} for that domain only, {@code .example.com} for it and its
     *     subdomains
     * @throws IllegalArgumentException when a key is not a domain name, or two keys name the same domain
     */
    public static DeliveryPolicies of(DeliveryPolicy defaultPolicy, Map<String, DeliveryPolicy> overrides) {
        Map<String, DeliveryPolicy> normalized = new LinkedHashMap<>();
        overrides.forEach((domain, policy) -> {
            String key = normalizeOverride(domain)
                .orElseThrow(() -> new IllegalArgumentException("not a domain name: '" + domain + "'"));
            if (normalized.put(key, Objects.requireNonNull(policy)) != null) {
                throw new IllegalArgumentException("two overrides for '" + key + "'");
            }
        });
        return new DeliveryPolicies(defaultPolicy, normalized);
    }

    /** {@link #parse(String, Map, Set)} for a mailet that has no parameters of its own. */
    public static DeliveryPolicies parse(String mailetName, Map<String, String> parameters) throws MessagingException {
        return parse(mailetName, parameters, Set.of());
    }

    /**
     * Reads the parameters documented on this class, and reports every problem at once.
     *
     * @param mailetName starts each line of the error message
     * @param ownedKeys the caller's own parameters, accepted here and left to it, e.g. {@code outgoingQueue}
     * @throws MessagingException one line per problem: {@code <mailetName>: <key> = '<value>': <what is expected>}
     */
    public static DeliveryPolicies parse(String mailetName, Map<String, String> parameters, Set<String> ownedKeys)
            throws MessagingException {
        return DeliveryPoliciesParser.parse(mailetName, parameters, ownedKeys);
    }

    /** {@link #parse(String, Map, Set)} of a mailet's configuration. */
    public static DeliveryPolicies from(MailetConfig config, Set<String> ownedKeys) throws MessagingException {
        Map<String, String> parameters = new HashMap<>();
        Iterator<String> names = config.getInitParameterNames();
        while (names.hasNext()) {
            String name = names.next();
            parameters.put(name, Optional.ofNullable(config.getInitParameter(name)).orElse(""));
        }
        return parse(config.getMailetName(), parameters, ownedKeys);
    }

    /**
     * The policy for mail to {@code domain}: its own override, else the override of its closest parent written
     * {@code .parent}, else the default.
     */
    public DeliveryPolicy forDomain(String domain) {
        String name = normalizeDomain(domain).orElse(domain.toLowerCase(Locale.ROOT));
        DeliveryPolicy exact = overrides.get(name);
        if (exact != null) {
            return exact;
        }
        for (String candidate = name; !candidate.isEmpty(); candidate = parent(candidate)) {
            DeliveryPolicy withSubdomains = overrides.get("." + candidate);
            if (withSubdomains != null) {
                return withSubdomains;
            }
        }
        return defaultPolicy;
    }

    public DeliveryPolicy defaultPolicy() {
        return defaultPolicy;
    }

    /** By domain as normalised: {@code example.com}, or {@code .example.com} for it and its subdomains. */
    public Map<String, DeliveryPolicy> overrides() {
        return overrides;
    }

    /** Lower case, ASCII form, no trailing dot; empty when not a domain name. */
    static Optional<String> normalizeDomain(String domain) {
        String name = domain.strip();
        if (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1);
        }
        try {
            name = IDN.toASCII(name, IDN.ALLOW_UNASSIGNED).toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException notADomain) {
            return Optional.empty();
        }
        return DOMAIN.matcher(name).matches() ? Optional.of(name) : Optional.empty();
    }

    /** {@link #normalizeDomain} keeping a leading dot, the mark of an override for subdomains too. */
    static Optional<String> normalizeOverride(String domain) {
        if (domain.startsWith(".")) {
            return normalizeDomain(domain.substring(1)).map(name -> "." + name);
        }
        return normalizeDomain(domain);
    }

    private static String parent(String domain) {
        int dot = domain.indexOf('.');
        return dot < 0 ? "" : domain.substring(dot + 1);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof DeliveryPolicies)) {
            return false;
        }
        DeliveryPolicies that = (DeliveryPolicies) o;
        return defaultPolicy.equals(that.defaultPolicy) && overrides.equals(that.overrides);
    }

    @Override
    public int hashCode() {
        return Objects.hash(defaultPolicy, overrides);
    }

    @Override
    public String toString() {
        return "DeliveryPolicies[default=" + defaultPolicy + ", overrides=" + overrides + "]";
    }
}
