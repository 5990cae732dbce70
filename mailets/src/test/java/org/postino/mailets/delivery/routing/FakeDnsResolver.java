package org.postino.mailets.delivery.routing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.Flags;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.TSIG;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * A recursive resolver answering from canned records: NOERROR with the records of the asked type, NODATA when the
 * name holds other records, NXDOMAIN for unknown names, CNAMEs chased within the reply as recursive servers do.
 * SERVFAIL and timeouts are set up per name and type. Remembers the questions, as "name/TYPE".
 */
final class FakeDnsResolver implements Resolver {

    private static final long TTL = 300;

    private final List<Record> records = new ArrayList<>();
    private final Set<String> serverFailures = new HashSet<>();
    private final Set<String> timeouts = new HashSet<>();
    private final List<String> questions = new ArrayList<>();
    private boolean chaseCnames = true;

    FakeDnsResolver mx(String domain, int preference, String host) {
        return add(new MXRecord(name(domain), DClass.IN, TTL, preference, name(host)));
    }

    FakeDnsResolver a(String host, String address) {
        return add(new ARecord(name(host), DClass.IN, TTL, address(address)));
    }

    FakeDnsResolver aaaa(String host, String address) {
        return add(new AAAARecord(name(host), DClass.IN, TTL, address(address)));
    }

    FakeDnsResolver cname(String alias, String target) {
        return add(new CNAMERecord(name(alias), DClass.IN, TTL, name(target)));
    }

    FakeDnsResolver txt(String name, String text) {
        return add(new TXTRecord(name(name), DClass.IN, TTL, text));
    }

    FakeDnsResolver serverFailure(String name, int type) {
        serverFailures.add(key(name(name), type));
        return this;
    }

    FakeDnsResolver timeout(String name, int type) {
        timeouts.add(key(name(name), type));
        return this;
    }

    /** Answers a CNAME alone, so that the client has to ask again for its target. */
    FakeDnsResolver withoutChasingCnames() {
        chaseCnames = false;
        return this;
    }

    List<String> questions() {
        return List.copyOf(questions);
    }

    @Override
    public Message send(Message query) throws IOException {
        Record question = query.getQuestion();
        String key = key(question.getName(), question.getType());
        questions.add(key);
        if (timeouts.contains(key)) {
            throw new SocketTimeoutException("no answer for " + key);
        }
        Message reply = new Message(query.getHeader().getID());
        reply.getHeader().setFlag(Flags.QR);
        reply.getHeader().setFlag(Flags.RD);
        reply.getHeader().setFlag(Flags.RA);
        reply.addRecord(question, Section.QUESTION);
        if (serverFailures.contains(key)) {
            reply.getHeader().setRcode(Rcode.SERVFAIL);
            return reply;
        }
        answer(reply, question.getName(), question.getType(), 0);
        return reply;
    }

    private void answer(Message reply, Name name, int type, int depth) {
        List<Record> matching = recordsAt(name, type);
        List<Record> aliases = recordsAt(name, Type.CNAME);
        if (!matching.isEmpty()) {
            matching.forEach(record -> reply.addRecord(record, Section.ANSWER));
        } else if (!aliases.isEmpty() && type != Type.CNAME) {
            reply.addRecord(aliases.get(0), Section.ANSWER);
            if (chaseCnames && depth < 8) {
                answer(reply, ((CNAMERecord) aliases.get(0)).getTarget(), type, depth + 1);
            }
        } else {
            boolean exists = records.stream().anyMatch(record -> record.getName().equals(name));
            reply.getHeader().setRcode(exists ? Rcode.NOERROR : Rcode.NXDOMAIN);
            reply.addRecord(soa(), Section.AUTHORITY);
        }
    }

    private List<Record> recordsAt(Name name, int type) {
        List<Record> found = new ArrayList<>();
        records.stream()
            .filter(record -> record.getName().equals(name) && record.getType() == type)
            .forEach(found::add);
        return found;
    }

    @Override
    public CompletionStage<Message> sendAsync(Message query) {
        return sendAsync(query, Runnable::run);
    }

    @Override
    public CompletionStage<Message> sendAsync(Message query, Executor executor) {
        try {
            return CompletableFuture.completedFuture(send(query));
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public void setPort(int port) {
    }

    @Override
    public void setTCP(boolean flag) {
    }

    @Override
    public void setIgnoreTruncation(boolean flag) {
    }

    @Override
    public void setEDNS(int version, int payloadSize, int flags, List<EDNSOption> options) {
    }

    @Override
    public void setTSIGKey(TSIG key) {
    }

    @Override
    public void setTimeout(Duration timeout) {
    }

    private FakeDnsResolver add(Record record) {
        records.add(record);
        return this;
    }

    private static SOARecord soa() {
        return new SOARecord(Name.root, DClass.IN, TTL, name("ns.test"), name("hostmaster.test"), 1, 3600, 600,
            86400, TTL);
    }

    private static String key(Name name, int type) {
        return name.toString(true).toLowerCase() + "/" + Type.string(type);
    }

    static Name name(String text) {
        try {
            return Name.fromString(text, Name.root);
        } catch (TextParseException e) {
            throw new IllegalArgumentException(text, e);
        }
    }

    static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }
}
