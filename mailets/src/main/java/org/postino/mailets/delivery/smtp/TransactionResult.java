package org.postino.mailets.delivery.smtp;

import java.util.List;
import java.util.Optional;

/**
 * The result of one attempt at one host. Either the session got as far as recipients, and each
 * has its own outcome; or it failed before that (no connection, refused greeting, TLS required
 * but not offered...), and the failure applies to the whole host, so the engine tries the next one.
 */
public final class TransactionResult {

    private final String host;
    private final List<RecipientOutcome> outcomes;
    private final Optional<SmtpReply> hostFailure;
    private final boolean tls;

    private TransactionResult(String host, List<RecipientOutcome> outcomes, Optional<SmtpReply> hostFailure, boolean tls) {
        this.host = host;
        this.outcomes = List.copyOf(outcomes);
        this.hostFailure = hostFailure;
        this.tls = tls;
    }

    public static TransactionResult completed(String host, List<RecipientOutcome> outcomes, boolean tls) {
        return new TransactionResult(host, outcomes, Optional.empty(), tls);
    }

    public static TransactionResult hostFailed(String host, SmtpReply reason) {
        return new TransactionResult(host, List.of(), Optional.of(reason), false);
    }

    public String host() {
        return host;
    }

    public List<RecipientOutcome> outcomes() {
        return outcomes;
    }

    /** Present when nothing was decided for any recipient at this host. */
    public Optional<SmtpReply> hostFailure() {
        return hostFailure;
    }

    public boolean usedTls() {
        return tls;
    }

    @Override
    public String toString() {
        return host + ": " + hostFailure.map(SmtpReply::toString).orElse(outcomes.toString());
    }
}
