package org.postino.mailets.delivery.routing;

import java.net.InetAddress;
import java.util.List;
import java.util.Objects;

/**
 * One host to try, with the addresses to connect to in the order to try them.
 *
 * @param host the MX host name, lower case and without the final dot ({@code mx1.example.com}); the domain itself
 *     for an implicit MX; for a domain literal the literal as the recipient wrote it, brackets included
 *     ({@code [192.0.2.1]}, {@code [IPv6:::1]}), which is not a DNS name and must not be used for SNI or
 *     certificate checks
 * @param preference the MX preference, 0 for an implicit MX and for a domain literal
 * @param addresses never empty; IPv6 and IPv4 interleaved, IPv6 first, each family in the order DNS gave it
 */
public record Target(String host, int preference, List<InetAddress> addresses) {

    public Target {
        Objects.requireNonNull(host, "host");
        if (host.isBlank()) {
            throw new IllegalArgumentException("host must not be blank");
        }
        if (preference < 0 || preference > 65535) {
            throw new IllegalArgumentException("preference must be 0..65535, was " + preference);
        }
        addresses = List.copyOf(addresses);
        if (addresses.isEmpty()) {
            throw new IllegalArgumentException("a target needs at least one address: " + host);
        }
    }

    public static Target of(String host, int preference, List<InetAddress> addresses) {
        return new Target(host, preference, addresses);
    }
}
