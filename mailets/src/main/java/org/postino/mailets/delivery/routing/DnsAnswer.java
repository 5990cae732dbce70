package org.postino.mailets.delivery.routing;

import java.util.List;
import java.util.Objects;

import org.xbill.DNS.Record;

/**
 * One DNS question's outcome reduced to what routing decides on.
 *
 * @param records the answers of the asked type, CNAMEs already followed; empty unless {@link Kind#FOUND}
 * @param description for logs and failure reasons: "NXDOMAIN", "NODATA", "SERVFAIL", "timed out"...
 */
record DnsAnswer(Kind kind, List<Record> records, String description) {

    enum Kind {
        FOUND,
        /** NOERROR without records of the asked type. */
        NO_DATA,
        /** NXDOMAIN. */
        NO_SUCH_NAME,
        /** SERVFAIL or another error code, timeout, network error, CNAME loop, referral: ask again later. */
        TEMPORARY
    }

    DnsAnswer {
        Objects.requireNonNull(kind, "kind");
        records = List.copyOf(records);
        Objects.requireNonNull(description, "description");
    }

    static DnsAnswer found(List<Record> records) {
        return new DnsAnswer(Kind.FOUND, records, "found");
    }

    static DnsAnswer noData() {
        return new DnsAnswer(Kind.NO_DATA, List.of(), "NODATA");
    }

    static DnsAnswer noSuchName() {
        return new DnsAnswer(Kind.NO_SUCH_NAME, List.of(), "NXDOMAIN");
    }

    static DnsAnswer temporary(String description) {
        return new DnsAnswer(Kind.TEMPORARY, List.of(), description);
    }

    boolean is(Kind expected) {
        return kind == expected;
    }
}
