package org.postino.mailets.delivery.routing;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Optional;

import org.xbill.DNS.Address;

/**
 * RFC 5321 §4.1.3 address literals as the domain of a recipient: {@code [192.0.2.1]} and {@code [IPv6:2001:db8::1]}
 * go straight to that address, with no DNS. General literals ({@code [tag:content]}) are not supported.
 */
final class DomainLiteral {

    private static final String IPV6_TAG = "IPv6:";

    private DomainLiteral() {
    }

    /** Anything bracketed at either end is meant as a literal, and is malformed if it does not parse as one. */
    static boolean isMeantAsLiteral(String destination) {
        return destination.startsWith("[") || destination.endsWith("]");
    }

    static Route route(String literal) {
        return parse(literal)
            .<Route>map(address -> Route.Destinations.of(List.of(Target.of(literal, 0, List.of(address)))))
            .orElseGet(() -> Route.PermanentFailure.badSyntax(
                "'" + literal + "' is not an IPv4 or IPv6 address literal (RFC 5321 section 4.1.3)"));
    }

    static Optional<InetAddress> parse(String literal) {
        if (literal.length() < 3 || !literal.startsWith("[") || !literal.endsWith("]")) {
            return Optional.empty();
        }
        String content = literal.substring(1, literal.length() - 1);
        if (content.regionMatches(true, 0, IPV6_TAG, 0, IPV6_TAG.length())) {
            return toAddress(content.substring(IPV6_TAG.length()), Address.IPv6);
        }
        return toAddress(content, Address.IPv4);
    }

    private static Optional<InetAddress> toAddress(String text, int family) {
        byte[] bytes = Address.toByteArray(text, family);
        if (bytes == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(InetAddress.getByAddress(bytes));
        } catch (UnknownHostException e) {
            // Only thrown for a wrong array length, which Address.toByteArray never returns.
            return Optional.empty();
        }
    }
}
