package org.postino.mailets.delivery.dsn;

import org.postino.mailets.delivery.smtp.SmtpAddresses;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

import org.apache.james.core.MailAddress;

/**
 * What a notice says about one recipient: the per-recipient fields of RFC 3464 §2.3. Start from
 * {@link #failed}, {@link #delayed} or {@link #of} and add the optional fields with the {@code with...} methods,
 * each returning a new report:
 *
 * <pre>{@code
 * RecipientReport.failed(bob, EnhancedStatus.fromReply(550, "5.1.1 user unknown"))
 *     .withOriginalRecipient("rfc822;Bob@Example.com")
 *     .withRemoteMta("mx1.example.com")
 *     .withDiagnostic("550 5.1.1 user unknown")
 *     .withLastAttempt(attemptTime);
 * }</pre>
 */
public final class RecipientReport {

    private static final Pattern ADDRESS_TYPE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9-]*");

    private final MailAddress finalRecipient;
    private final Optional<String> originalRecipient;
    private final Action action;
    private final EnhancedStatus status;
    private final Optional<String> remoteMta;
    private final Optional<String> diagnostic;
    private final Optional<Instant> lastAttempt;
    private final Optional<Instant> willRetryUntil;

    private RecipientReport(MailAddress finalRecipient, Optional<String> originalRecipient, Action action,
                            EnhancedStatus status, Optional<String> remoteMta, Optional<String> diagnostic,
                            Optional<Instant> lastAttempt, Optional<Instant> willRetryUntil) {
        this.finalRecipient = finalRecipient;
        this.originalRecipient = originalRecipient;
        this.action = action;
        this.status = status;
        this.remoteMta = remoteMta;
        this.diagnostic = diagnostic;
        this.lastAttempt = lastAttempt;
        this.willRetryUntil = willRetryUntil;
    }

    /**
     * @throws IllegalArgumentException when the status's class does not fit the action: 2 for the positive actions,
     *                                  4 for {@code delayed}, 4 or 5 for {@code failed}
     */
    public static RecipientReport of(MailAddress finalRecipient, Action action, EnhancedStatus status) {
        Objects.requireNonNull(finalRecipient, "finalRecipient");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(status, "status");
        if (!action.admits(status)) {
            throw new IllegalArgumentException("status " + status + " does not fit action " + action.fieldValue());
        }
        return new RecipientReport(finalRecipient, Optional.empty(), action, status, Optional.empty(),
            Optional.empty(), Optional.empty(), Optional.empty());
    }

    public static RecipientReport failed(MailAddress finalRecipient, EnhancedStatus status) {
        return of(finalRecipient, Action.FAILED, status);
    }

    /** A delayed recipient, with the time until which the mail system will keep trying. */
    public static RecipientReport delayed(MailAddress finalRecipient, EnhancedStatus status, Instant willRetryUntil) {
        return of(finalRecipient, Action.DELAYED, status).withWillRetryUntil(willRetryUntil);
    }

    /**
     * The recipient as the sender's client gave it in ORCPT (RFC 3461 §4.2), xtext already decoded:
     * {@code address-type ";" address}, such as {@code rfc822;Bob@Example.com}.
     */
    public RecipientReport withOriginalRecipient(String typedAddress) {
        int semicolon = typedAddress.indexOf(';');
        String type = semicolon < 0 ? "" : typedAddress.substring(0, semicolon).trim();
        String address = semicolon < 0 ? "" : typedAddress.substring(semicolon + 1).trim();
        if (!ADDRESS_TYPE.matcher(type).matches() || address.isEmpty()) {
            throw new IllegalArgumentException("original recipient must be 'address-type;address', got '"
                + typedAddress + "'");
        }
        return new RecipientReport(finalRecipient, Optional.of(type + ";" + address), action, status, remoteMta,
            diagnostic, lastAttempt, willRetryUntil);
    }

    /** The ORCPT address as James's {@code DsnParameters} hold it: written {@code rfc822;<address>}. */
    public RecipientReport withOriginalRecipient(MailAddress address) {
        return withOriginalRecipient("rfc822;" + SmtpAddresses.mailbox(address));
    }

    /** The host name (or address literal) of the server that gave the {@linkplain #withDiagnostic reply}. */
    public RecipientReport withRemoteMta(String host) {
        String trimmed = host.trim();
        if (trimmed.isEmpty() || trimmed.chars().anyMatch(c -> c <= ' ' || c == ';')) {
            throw new IllegalArgumentException("remote MTA must be a host name, got '" + host + "'");
        }
        return new RecipientReport(finalRecipient, originalRecipient, action, status, Optional.of(trimmed),
            diagnostic, lastAttempt, willRetryUntil);
    }

    /** The SMTP reply, code included, as the server gave it: {@code 550 5.1.1 user unknown}. */
    public RecipientReport withDiagnostic(String smtpReply) {
        if (smtpReply.isBlank()) {
            throw new IllegalArgumentException("diagnostic must not be blank");
        }
        return new RecipientReport(finalRecipient, originalRecipient, action, status, remoteMta,
            Optional.of(smtpReply.strip()), lastAttempt, willRetryUntil);
    }

    public RecipientReport withLastAttempt(Instant time) {
        return new RecipientReport(finalRecipient, originalRecipient, action, status, remoteMta, diagnostic,
            Optional.of(time), willRetryUntil);
    }

    /** @throws IllegalArgumentException unless the action is {@code delayed}: only then is a retry promised */
    public RecipientReport withWillRetryUntil(Instant time) {
        if (action != Action.DELAYED) {
            throw new IllegalArgumentException("Will-Retry-Until is for delayed recipients, not "
                + action.fieldValue());
        }
        return new RecipientReport(finalRecipient, originalRecipient, action, status, remoteMta, diagnostic,
            lastAttempt, Optional.of(time));
    }

    public MailAddress finalRecipient() {
        return finalRecipient;
    }

    /** {@code address-type;address}, as given to {@link #withOriginalRecipient(String)}. */
    public Optional<String> originalRecipient() {
        return originalRecipient;
    }

    public Action action() {
        return action;
    }

    public EnhancedStatus status() {
        return status;
    }

    public Optional<String> remoteMta() {
        return remoteMta;
    }

    public Optional<String> diagnostic() {
        return diagnostic;
    }

    public Optional<Instant> lastAttempt() {
        return lastAttempt;
    }

    public Optional<Instant> willRetryUntil() {
        return willRetryUntil;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof RecipientReport)) {
            return false;
        }
        RecipientReport other = (RecipientReport) o;
        return finalRecipient.equals(other.finalRecipient) && originalRecipient.equals(other.originalRecipient)
            && action == other.action && status.equals(other.status) && remoteMta.equals(other.remoteMta)
            && diagnostic.equals(other.diagnostic) && lastAttempt.equals(other.lastAttempt)
            && willRetryUntil.equals(other.willRetryUntil);
    }

    @Override
    public int hashCode() {
        return Objects.hash(finalRecipient, originalRecipient, action, status, remoteMta, diagnostic, lastAttempt,
            willRetryUntil);
    }

    @Override
    public String toString() {
        return finalRecipient.asString() + " " + action.fieldValue() + " " + status
            + diagnostic.map(text -> " (" + text + ")").orElse("");
    }
}
