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
 */
final class DestinationAttempt {

    private final SmtpClient client;
    private final String heloName;
    private final int port;

    DestinationAttempt(SmtpClient client, String heloName, int port) {
        this.client = client;
        this.heloName = heloName;
        this.port = port;
    }

    List<RecipientResult> run(Route route, DeliveryPolicy policy, Envelope envelope, SmtpClient.MessageSource message) {
        if (route instanceof Route.Failure failure) {
            EnhancedStatus status = EnhancedStatus.parse(failure.status());
            return sameFor(envelope.recipients(), status, Optional.empty(), Optional.empty(), failure.reason());
        }
        List<Target> targets = ((Route.Destinations) route).targets();
        SmtpClient.Settings settings = SmtpClient.Settings.of(policy.connectTimeout(), policy.commandTimeout(),
            policy.dataTimeout(), heloName, policy.tls() == TlsMode.REQUIRED);
        List<RecipientResult> results = new ArrayList<>();
        for (List<MailAddress> batch : batches(envelope.recipients(), policy.maxRecipientsPerTransaction())) {
            Envelope part = Envelope.of(envelope.sender(), batch, envelope.dsn(), envelope.size());
            results.addAll(deliverBatch(targets, settings, part, message));
        }
        return results;
    }

    private List<RecipientResult> deliverBatch(List<Target> targets, SmtpClient.Settings settings, Envelope envelope,
                                               SmtpClient.MessageSource message) {
        SmtpReply lastFailure = SmtpReply.local(451, "4.4.0 no address to try");
        String lastHost = null;
        for (Target target : targets) {
            for (InetAddress address : target.addresses()) {
                TransactionResult result = client.deliver(new InetSocketAddress(address, port), target.host(), settings, envelope, message);
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

    static List<List<MailAddress>> batches(List<MailAddress> recipients, int size) {
        Map<Integer, List<MailAddress>> batches = new LinkedHashMap<>();
        for (int i = 0; i < recipients.size(); i++) {
            batches.computeIfAbsent(i / size, key -> new ArrayList<>()).add(recipients.get(i));
        }
        return new ArrayList<>(batches.values());
    }
}
