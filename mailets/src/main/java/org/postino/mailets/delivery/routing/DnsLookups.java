package org.postino.mailets.delivery.routing;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

import org.xbill.DNS.DClass;
import org.xbill.DNS.Lookup;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;

/** Asks one question through dnsjava's {@link Lookup}, which follows CNAME chains, and classifies the result. */
final class DnsLookups {

    private final Resolver resolver;

    DnsLookups(Resolver resolver) {
        this.resolver = Objects.requireNonNull(resolver, "resolver");
    }

    /** A name as routing shows it: lower case, without the final dot. */
    static String text(Name name) {
        return name.toString(true).toLowerCase(Locale.ROOT);
    }

    DnsAnswer query(Name absoluteName, int type) {
        Lookup lookup = new Lookup(absoluteName, type, DClass.IN);
        lookup.setResolver(resolver);
        // A fresh cache per question: no answer outlives its TTL here; the recursive resolver we ask does the
        // caching. Lookup still needs a cache to follow a CNAME chain within one question.
        lookup.setCache(null);
        // DNS only, like Postfix's smtp_host_lookup=dns: /etc/hosts says nothing about where mail goes.
        lookup.setHostsFileParser(null);
        Record[] records = lookup.run();
        switch (lookup.getResult()) {
            case Lookup.SUCCESSFUL:
                return DnsAnswer.found(List.of(records));
            case Lookup.TYPE_NOT_FOUND:
                return DnsAnswer.noData();
            case Lookup.HOST_NOT_FOUND:
                return DnsAnswer.noSuchName();
            default:
                // TRY_AGAIN: SERVFAIL/REFUSED, timeout, network error. UNRECOVERABLE: referral, CNAME loop, name
                // too long; a recursive resolver reports those as SERVFAIL, and the remote may fix them.
                return DnsAnswer.temporary(lookup.getErrorString());
        }
    }
}
