package org.postino.mailets.delivery.routing;

import java.net.IDN;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.Address;
import org.xbill.DNS.ExtendedResolver;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.ResolverConfig;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * Finds where mail for a destination domain goes (RFC 5321 §5.1, RFC 7505), asking DNS through dnsjava.
 * <ul>
 *   <li>MX hosts by ascending preference; hosts of equal preference in an order drawn from the injected
 *       {@link Random}; a host listed twice keeps its lowest preference. Each host's addresses come from its AAAA
 *       and A lookups, interleaved IPv6 first (see {@link Target}); an address already listed under a more
 *       preferred host is not repeated, and a host left with none is dropped.</li>
 *   <li>An MX host that does not exist or has no address (NXDOMAIN, NODATA), or whose lookups fail temporarily,
 *       is skipped (logged at debug) as long as another host resolves. With none left: a temporary failure 4.4.3
 *       if any host failed temporarily, else a permanent failure 5.4.4.</li>
 *   <li>An MX host written as an IP address ({@code MX 10 192.0.2.1.}) is not a host name (RFC 5321 §5.1) and is
 *       skipped, as Postfix and Exim do by default. CNAMEs, for the domain and for MX hosts, are followed.</li>
 *   <li>Any MX whose exchange is "." means a null MX, {@link Route.NullMx}, even alongside other MX records,
 *       which RFC 7505 §3 forbids: the owner said "no mail here", and trying the others could deliver to a host
 *       the owner has retired. No address is looked up.</li>
 *   <li>No MX record (NOERROR, NODATA): the domain's own AAAA and A records, as an implicit MX of preference 0;
 *       none either: permanent failure 5.4.4.</li>
 *   <li>NXDOMAIN for the domain: permanent failure 5.1.2. SERVFAIL, any other error code, timeouts, network
 *       errors, referrals and CNAME loops: temporary failure 4.4.3.</li>
 *   <li>Domain literals ({@code [192.0.2.1]}, {@code [IPv6:2001:db8::1]}): that address, no DNS; a malformed one
 *       fails permanently with 5.1.3, as does a malformed domain name. Internationalised names are looked up in
 *       their A-label form.</li>
 * </ul>
 * There is no cache of our own: every {@link #resolve(String)} asks again, and the recursive resolver it asks
 * respects TTLs. Lookups run one after another (one MX query, then AAAA and A per host); the hosts file is not
 * consulted. Instances are thread-safe.
 */
public final class MxResolver {

    private static final Logger LOGGER = LoggerFactory.getLogger(MxResolver.class);
    /** Each server gets this many tries per question within the timeout, so one lost UDP packet is survived. */
    private static final int TRIES_PER_SERVER = 2;

    private final DnsLookups dns;
    private final Random random;

    /**
     * @param resolver asked for every question, in tests a fake one
     * @param random orders MX hosts of equal preference
     */
    public MxResolver(Resolver resolver, Random random) {
        this.dns = new DnsLookups(resolver);
        this.random = Objects.requireNonNull(random, "random");
    }

    /**
     * Asks the given servers in order (dnsjava moves servers that failed recently to the back), the next one when a
     * server does not answer; a server that answers, even SERVFAIL, is believed.
     *
     * @param servers recursive resolvers, e.g. {@code new InetSocketAddress("127.0.0.77", 53)}
     * @param timeout the most one DNS question may take over all servers and tries; each server gets
     *     two tries of an equal share (dnsjava checks UDP timeouts about once a second, so
     *     shares under a second run longer; the whole timeout holds). One {@link #resolve(String)} asks
     *     1 + 2 × (MX hosts) questions.
     */
    public static MxResolver forServers(List<InetSocketAddress> servers, Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (servers.isEmpty()) {
            throw new IllegalArgumentException("at least one DNS server is needed");
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, was " + timeout);
        }
        Duration perTry = timeout.dividedBy((long) servers.size() * TRIES_PER_SERVER);
        List<Resolver> simpleResolvers = servers.stream()
            .map(server -> {
                Resolver simple = new SimpleResolver(server);
                simple.setTimeout(perTry);
                return simple;
            })
            .collect(Collectors.toList());
        ExtendedResolver resolver = new ExtendedResolver(simpleResolvers);
        resolver.setRetries(TRIES_PER_SERVER);
        resolver.setTimeout(timeout);
        return new MxResolver(resolver, new Random());
    }

    /** Asks the servers of the system's configuration (resolv.conf and the like), as dnsjava's ResolverConfig reads it. */
    public static MxResolver systemDefault(Duration timeout) {
        return forServers(ResolverConfig.getCurrentConfig().servers(), timeout);
    }

    /**
     * @param domain the domain part of a recipient address: a domain name, with or without the final dot, or an
     *     address literal in brackets
     */
    public Route resolve(String domain) {
        String destination = Objects.requireNonNull(domain, "domain").strip();
        if (DomainLiteral.isMeantAsLiteral(destination)) {
            return DomainLiteral.route(destination);
        }
        return toDnsName(destination)
            .map(this::resolve)
            .orElseGet(() -> Route.PermanentFailure.badSyntax("'" + destination + "' is not a valid domain name"));
    }

    private Route resolve(Name domain) {
        DnsAnswer mx = dns.query(domain, Type.MX);
        switch (mx.kind()) {
            case FOUND:
                return viaMxHosts(domain, mx.records().stream()
                    .filter(MXRecord.class::isInstance)
                    .map(MXRecord.class::cast)
                    .collect(Collectors.toList()));
            case NO_DATA:
                return viaImplicitMx(domain);
            case NO_SUCH_NAME:
                return Route.PermanentFailure.noSuchDomain("domain " + text(domain) + " does not exist (NXDOMAIN)");
            default:
                return Route.TemporaryFailure.dnsFailure(
                    "MX lookup for " + text(domain) + " failed: " + mx.description());
        }
    }

    private Route viaMxHosts(Name domain, List<MXRecord> records) {
        if (records.stream().anyMatch(record -> record.getTarget().equals(Name.root))) {
            return new Route.NullMx(text(domain));
        }
        List<Target> targets = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        boolean temporary = false;
        Set<InetAddress> listed = new HashSet<>();
        for (MxHost host : inTryOrder(records)) {
            Optional<String> problem = Optional.empty();
            if (isIpAddress(host.name())) {
                problem = Optional.of("an IP address, not a host name");
            } else {
                HostAddresses found = HostAddresses.lookUp(dns, host.name());
                List<InetAddress> fresh = found.addresses().stream()
                    .filter(listed::add)
                    .collect(Collectors.toList());
                if (!fresh.isEmpty()) {
                    targets.add(Target.of(text(host.name()), host.preference(), fresh));
                } else {
                    temporary |= found.failedTemporarily();
                    problem = Optional.of(found.resolved() ? "only addresses of a more preferred host" : found.problem());
                }
            }
            problem.ifPresent(text -> {
                LOGGER.debug("Skipping MX host {} of {}: {}", text(host.name()), text(domain), text);
                problems.add(text(host.name()) + " (" + text + ")");
            });
        }
        if (!targets.isEmpty()) {
            return Route.Destinations.of(targets);
        }
        String reason = "no MX host of " + text(domain) + " is usable: " + String.join(", ", problems);
        return temporary ? Route.TemporaryFailure.dnsFailure(reason) : Route.PermanentFailure.noAddress(reason);
    }

    /** Ascending preference, each host once at its lowest preference, equal preferences shuffled. */
    private List<MxHost> inTryOrder(List<MXRecord> records) {
        Map<Name, Integer> lowestPreference = new LinkedHashMap<>();
        records.forEach(record -> lowestPreference.merge(record.getTarget(), record.getPriority(), Math::min));
        TreeMap<Integer, List<MxHost>> byPreference = new TreeMap<>();
        lowestPreference.forEach((name, preference) ->
            byPreference.computeIfAbsent(preference, any -> new ArrayList<>()).add(new MxHost(name, preference)));
        List<MxHost> ordered = new ArrayList<>();
        byPreference.values().forEach(samePreference -> {
            Collections.shuffle(samePreference, random);
            ordered.addAll(samePreference);
        });
        return ordered;
    }

    private Route viaImplicitMx(Name domain) {
        HostAddresses found = HostAddresses.lookUp(dns, domain);
        if (found.resolved()) {
            return Route.Destinations.of(List.of(Target.of(text(domain), 0, found.addresses())));
        }
        if (found.failedTemporarily()) {
            return Route.TemporaryFailure.dnsFailure(
                text(domain) + " has no MX record and its address lookup failed: " + found.problem());
        }
        if (found.nonExistent()) {
            return Route.PermanentFailure.noSuchDomain("domain " + text(domain) + " does not exist (NXDOMAIN)");
        }
        return Route.PermanentFailure.noAddress(text(domain) + " has no MX record and no A or AAAA record");
    }

    private static Optional<Name> toDnsName(String domain) {
        try {
            Name name = Name.fromString(IDN.toASCII(domain, IDN.ALLOW_UNASSIGNED), Name.root);
            return name.equals(Name.root) ? Optional.empty() : Optional.of(name);
        } catch (TextParseException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static boolean isIpAddress(Name host) {
        String text = host.toString(true);
        return Address.isDottedQuad(text) || Address.toByteArray(text, Address.IPv6) != null;
    }

    private static String text(Name name) {
        return DnsLookups.text(name);
    }

    private record MxHost(Name name, int preference) {
    }
}
