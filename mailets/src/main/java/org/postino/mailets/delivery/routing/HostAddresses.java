package org.postino.mailets.delivery.routing;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Collectors;

import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/**
 * The addresses of one host name from its AAAA and A lookups. Addresses are interleaved, IPv6 first (RFC 8305
 * §4, RFC 6724 default policy): a host whose IPv6 path is broken costs one failed connection, not all of its
 * IPv6 addresses, before an IPv4 one is tried.
 */
record HostAddresses(List<InetAddress> addresses, DnsAnswer ipv6, DnsAnswer ipv4) {

    HostAddresses {
        addresses = List.copyOf(addresses);
    }

    static HostAddresses lookUp(DnsLookups dns, Name host) {
        DnsAnswer ipv6 = dns.query(host, Type.AAAA);
        DnsAnswer ipv4 = dns.query(host, Type.A);
        String hostName = DnsLookups.text(host);
        return new HostAddresses(
            interleave(addressesIn(ipv6, hostName), addressesIn(ipv4, hostName)), ipv6, ipv4);
    }

    boolean resolved() {
        return !addresses.isEmpty();
    }

    /** NXDOMAIN is decisive: a name that does not exist has no address of either family. */
    boolean nonExistent() {
        return !resolved() && (ipv6.is(DnsAnswer.Kind.NO_SUCH_NAME) || ipv4.is(DnsAnswer.Kind.NO_SUCH_NAME));
    }

    boolean failedTemporarily() {
        return !resolved() && !nonExistent()
            && (ipv6.is(DnsAnswer.Kind.TEMPORARY) || ipv4.is(DnsAnswer.Kind.TEMPORARY));
    }

    String problem() {
        return "AAAA " + ipv6.description() + ", A " + ipv4.description();
    }

    private static List<InetAddress> addressesIn(DnsAnswer answer, String hostName) {
        return answer.records().stream()
            .map(record -> named(addressOf(record), hostName))
            .collect(Collectors.toList());
    }

    private static InetAddress addressOf(Record record) {
        if (record instanceof AAAARecord) {
            return ((AAAARecord) record).getAddress();
        }
        return ((ARecord) record).getAddress();
    }

    /**
     * dnsjava names an address after the record's owner, final dot included, and the canonical name behind a CNAME.
     * Name it after the host we were sent to, so that {@link InetAddress#getHostName()} neither shows a dot nor
     * triggers a reverse lookup.
     */
    private static InetAddress named(InetAddress address, String hostName) {
        try {
            return InetAddress.getByAddress(hostName, address.getAddress());
        } catch (UnknownHostException e) {
            throw new IllegalStateException("an A or AAAA record held a malformed address", e);
        }
    }

    static List<InetAddress> interleave(List<InetAddress> first, List<InetAddress> second) {
        List<InetAddress> result = new ArrayList<>(first.size() + second.size());
        Iterator<InetAddress> firsts = first.iterator();
        Iterator<InetAddress> seconds = second.iterator();
        while (firsts.hasNext() || seconds.hasNext()) {
            if (firsts.hasNext()) {
                result.add(firsts.next());
            }
            if (seconds.hasNext()) {
                result.add(seconds.next());
            }
        }
        return result;
    }
}
