package org.postino.mailets.delivery.engine;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.apache.james.core.MailAddress;
import org.postino.mailets.delivery.dsn.EnhancedStatus;
import org.postino.mailets.delivery.fairness.Contact;
import org.postino.mailets.delivery.policy.DeliveryPolicy;
import org.postino.mailets.delivery.policy.TlsMode;
import org.postino.mailets.delivery.routing.Route;
import org.postino.mailets.delivery.routing.Target;
import org.postino.mailets.delivery.smtp.Envelope;
import org.postino.mailets.delivery.smtp.RecipientOutcome;
import org.postino.mailets.delivery.smtp.SmtpClient;
import org.postino.mailets.delivery.smtp.SmtpReply;
import org.postino.mailets.delivery.smtp.TransactionResult;

/**
 * One attempt at one destination: walks the route's hosts in order until one of them decides
 * about the recipients, in transactions of at most {@code maxRecipientsPerTransaction}. A host that
 * decides nothing (unreachable, refusing, TLS required but absent) passes the turn to the next one;
 * when none is left, every undecided recipient fails temporarily with the last host's reason.
 * It also tells whether any host could be reached at all, the feedback the fairness gate needs.
 */
final class DestinationAttempt {

    /**
     * The recipients' results, and whether a host was reached.
     *
     * @param lastHostFailure the last host's failure when {@code contact} is {@link Contact#UNREACHABLE}, else empty
     */
    record Outcome(List<RecipientResult> results, Contact contact, String lastHostFailure) {
    }

    private final SmtpClient client;
    private final String heloName;
    private final int port;

    DestinationAttempt(SmtpClient client, String heloName, int port) {
        this.client = client;
        this.heloName = heloName;
        this.port = port;
    }

    Outcome run(Route route, DeliveryPolicy policy, Envelope envelope, SmtpClient.MessageSource message) {
        if (route instanceof Route.Failure failure) {
            EnhancedStatus status = EnhancedStatus.parse(failure.status());
            return new Outcome(sameFor(envelope.recipients(), status, Optional.empty(), Optional.empty(), failure.reason()),
                Contact.NOT_TRIED, "");
        }
        List<Target> targets = ((Route.Destinations) route).targets();
        SmtpClient.Settings settings = SmtpClient.Settings.of(policy.connectTimeout(), policy.commandTimeout(),
            policy.dataTimeout(), heloName, policy.tls() == TlsMode.REQUIRED);
        List<RecipientResult> results = new ArrayList<>();
        Contacts contacts = new Contacts();
        for (List<MailAddress> batch : batches(envelope.recipients(), policy.maxRecipientsPerTransaction())) {
            Envelope part = Envelope.of(envelope.sender(), batch, envelope.dsn(), envelope.size());
            results.addAll(deliverBatch(targets, settings, part, message, contacts));
        }
        return new Outcome(results, contacts.contact(), contacts.contact() == Contact.UNREACHABLE ? contacts.lastFailure : "");
    }

    private List<RecipientResult> deliverBatch(List<Target> targets, SmtpClient.Settings settings, Envelope envelope,
                                               SmtpClient.MessageSource message, Contacts contacts) {
        SmtpReply lastFailure = SmtpReply.local(451, "4.4.0 no address to try");
        String lastHost = null;
        for (Target target : targets) {
            for (InetAddress address : target.addresses()) {
                TransactionResult result = client.deliver(new InetSocketAddress(address, port), target.host(), settings, envelope, message);
                contacts.record(result);
                if (result.hostFailure().isEmpty()) {
                    return fromOutcomes(result);
                }
                lastFailure = result.hostFailure().get();
                lastHost = target.host();
            }
        }
        EnhancedStatus status = EnhancedStatus.fromReply(lastFailure.code() >= 500 ? 451 : lastFailure.code(), String.join(" ", lastFailure.lines()));
        boolean answered = lastFailure.fromServer();
        return sameFor(envelope.recipients(), status.isTransient() ? status : EnhancedStatus.CONNECTION,
            answered ? Optional.of(lastFailure.text()) : Optional.empty(),
            answered ? Optional.ofNullable(lastHost) : Optional.empty(), lastFailure.text());
    }

    private static List<RecipientResult> fromOutcomes(TransactionResult result) {
        List<RecipientResult> results = new ArrayList<>();
        for (RecipientOutcome outcome : result.outcomes()) {
            SmtpReply reply = outcome.reply();
            EnhancedStatus status = EnhancedStatus.fromReply(reply.code(), String.join(" ", reply.lines()));
            results.add(new RecipientResult(outcome.recipient(), status, Optional.of(reply.text()), Optional.of(result.host()), reply.text()));
        }
        return results;
    }

    private static List<RecipientResult> sameFor(List<MailAddress> recipients, EnhancedStatus status,
                                                 Optional<String> diagnostic, Optional<String> remoteMta, String reason) {
        List<RecipientResult> results = new ArrayList<>();
        recipients.forEach(recipient -> results.add(new RecipientResult(recipient, status, diagnostic, remoteMta, reason)));
        return results;
    }

    /** Whether any host was reached, over all the hosts and batches of one attempt. */
    private static final class Contacts {
        private boolean tried;
        private boolean reached;
        private String lastFailure = "";

        void record(TransactionResult result) {
            tried = true;
            Optional<SmtpReply> failure = result.hostFailure();
            if (failure.isEmpty() || !unreachable(failure.get())) {
                reached = true;
            } else {
                lastFailure = result.host() + ": " + failure.get().text();
            }
        }

        Contact contact() {
            return reached ? Contact.REACHED : tried ? Contact.UNREACHABLE : Contact.NOT_TRIED;
        }

        /**
         * A host failure means the host is out of reach when the server refused us before any recipient (greeting or
         * EHLO), or when {@link SmtpClient} could not connect or lost the connection (its local 421 replies). Its other
         * local failures are TLS ones (450): the host answered, our TLS rule was not met.
         */
        private static boolean unreachable(SmtpReply failure) {
            return failure.fromServer() || failure.code() == 421;
        }
    }

    static List<List<MailAddress>> batches(List<MailAddress> recipients, int size) {
        Map<Integer, List<MailAddress>> batches = new LinkedHashMap<>();
        for (int i = 0; i < recipients.size(); i++) {
            batches.computeIfAbsent(i / size, key -> new ArrayList<>()).add(recipients.get(i));
        }
        return new ArrayList<>(batches.values());
    }
}
