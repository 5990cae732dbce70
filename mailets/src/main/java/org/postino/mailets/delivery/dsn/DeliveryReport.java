package org.postino.mailets.delivery.dsn;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import javax.mail.internet.MimeMessage;

import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;

/**
 * Everything one delivery status notification says: the per-message fields of RFC 3464 §2.2, the recipients it
 * reports on, the message it is about, who sends it and to whom, and in which language. Built with
 * {@link #builder()}; {@link DsnWriter} turns it into a message.
 *
 * <p>A report can mix actions (one recipient failed, another delayed, a third relayed): RFC 3464 allows it, and the
 * notice is then titled by the gravest, see {@link #headline()}.
 *
 * <p>There is no report for a message whose reverse-path is null: {@link Builder#noticeTo} refuses it, so a notice
 * (itself sent with a null reverse-path, RFC 5321 §4.5.5) can never cause another.
 *
 * <p><b>RET absent.</b> RFC 3461 §4.3 leaves the choice to the MTA. Without {@link Builder#returnContent}, a
 * notice that reports a failure returns the full message (the sender gets back what was not delivered; that is
 * what "returned to sender" promises), and any other notice returns the header only (the message is still
 * queued or was delivered: the sender needs to know which message, not a second copy).
 *
 * <p>The original {@link MimeMessage} is held by reference; it is only read.
 */
public final class DeliveryReport {

    private final String reportingMta;
    private final Instant arrivalDate;
    private final Optional<String> envelopeId;
    private final ReturnContent returnContent;
    private final MimeMessage original;
    private final MailAddress noticeFrom;
    private final MailAddress noticeTo;
    private final Language language;
    private final List<RecipientReport> recipients;

    private DeliveryReport(Builder builder, ReturnContent returnContent) {
        this.reportingMta = builder.reportingMta;
        this.arrivalDate = builder.arrivalDate;
        this.envelopeId = builder.envelopeId;
        this.returnContent = returnContent;
        this.original = builder.original;
        this.noticeFrom = builder.noticeFrom;
        this.noticeTo = builder.noticeTo;
        this.language = builder.language;
        this.recipients = List.copyOf(builder.recipients);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Our host name, written {@code Reporting-MTA: dns; <host>}. */
    public String reportingMta() {
        return reportingMta;
    }

    /** When we received the message, written in {@code Arrival-Date}. */
    public Instant arrivalDate() {
        return arrivalDate;
    }

    /** The sender's ENVID (RFC 3461 §4.4), xtext decoded; written in {@code Original-Envelope-Id}. */
    public Optional<String> envelopeId() {
        return envelopeId;
    }

    /** From RET, or chosen as the class comment says when RET was absent. */
    public ReturnContent returnContent() {
        return returnContent;
    }

    public MimeMessage original() {
        return original;
    }

    /** The notice's {@code From}: our postmaster or MAILER-DAEMON. */
    public MailAddress noticeFrom() {
        return noticeFrom;
    }

    /** The notice's {@code To}: the original message's reverse-path, never null. */
    public MailAddress noticeTo() {
        return noticeTo;
    }

    public Language language() {
        return language;
    }

    /** In the order given; never empty. */
    public List<RecipientReport> recipients() {
        return recipients;
    }

    /**
     * The action that titles the notice: {@code failed} if any recipient failed, else {@code delayed} if any is
     * delayed, else the first recipient's positive action.
     */
    public Action headline() {
        if (recipients.stream().anyMatch(recipient -> recipient.action() == Action.FAILED)) {
            return Action.FAILED;
        }
        if (recipients.stream().anyMatch(recipient -> recipient.action() == Action.DELAYED)) {
            return Action.DELAYED;
        }
        return recipients.get(0).action();
    }

    @Override
    public String toString() {
        return "DeliveryReport{" + headline().fieldValue() + " to " + noticeTo.asString() + ", " + recipients + "}";
    }

    /** Collects the fields; {@link #build()} checks that the required ones are there. */
    public static final class Builder {
        private String reportingMta;
        private Instant arrivalDate;
        private Optional<String> envelopeId = Optional.empty();
        private Optional<ReturnContent> returnContent = Optional.empty();
        private MimeMessage original;
        private MailAddress noticeFrom;
        private MailAddress noticeTo;
        private Language language = Language.ENGLISH;
        private final List<RecipientReport> recipients = new ArrayList<>();

        private Builder() {
        }

        public Builder reportingMta(String host) {
            String trimmed = host.trim();
            if (trimmed.isEmpty() || trimmed.chars().anyMatch(c -> c <= ' ' || c >= 127 || c == ';')) {
                throw new IllegalArgumentException("reporting MTA must be a host name, got '" + host + "'");
            }
            this.reportingMta = trimmed;
            return this;
        }

        public Builder arrivalDate(Instant arrivalDate) {
            this.arrivalDate = Objects.requireNonNull(arrivalDate, "arrivalDate");
            return this;
        }

        public Builder envelopeId(String envelopeId) {
            if (envelopeId.isBlank()) {
                throw new IllegalArgumentException("envelope id must not be blank");
            }
            this.envelopeId = Optional.of(envelopeId.strip());
            return this;
        }

        public Builder envelopeId(Optional<String> envelopeId) {
            envelopeId.ifPresentOrElse(this::envelopeId, () -> this.envelopeId = Optional.empty());
            return this;
        }

        /** The sender's RET; leave unset when it gave none. */
        public Builder returnContent(ReturnContent returnContent) {
            this.returnContent = Optional.of(returnContent);
            return this;
        }

        public Builder original(MimeMessage original) {
            this.original = Objects.requireNonNull(original, "original");
            return this;
        }

        public Builder noticeFrom(MailAddress sender) {
            if (sender == null || sender.isNullSender()) {
                throw new IllegalArgumentException("the notice needs a real sender address, such as postmaster");
            }
            this.noticeFrom = sender;
            return this;
        }

        /**
         * The original message's reverse-path.
         *
         * @throws IllegalArgumentException if it is null: no notice is ever sent for such a message
         */
        public Builder noticeTo(MaybeSender reversePath) {
            if (reversePath == null || reversePath.isNullSender()) {
                throw nullReversePath();
            }
            return noticeTo(reversePath.get());
        }

        /** @throws IllegalArgumentException if it is null or the null sender: no notice is ever sent for it */
        public Builder noticeTo(MailAddress reversePath) {
            if (reversePath == null || reversePath.isNullSender()) {
                throw nullReversePath();
            }
            this.noticeTo = reversePath;
            return this;
        }

        private static IllegalArgumentException nullReversePath() {
            return new IllegalArgumentException(
                "no notice is sent for a message with a null reverse-path (RFC 5321 §4.5.5): it would loop");
        }

        public Builder language(Language language) {
            this.language = Objects.requireNonNull(language, "language");
            return this;
        }

        public Builder recipient(RecipientReport recipient) {
            recipients.add(Objects.requireNonNull(recipient, "recipient"));
            return this;
        }

        public Builder recipients(List<RecipientReport> recipients) {
            recipients.forEach(this::recipient);
            return this;
        }

        /** @throws IllegalStateException naming every missing field */
        public DeliveryReport build() {
            List<String> missing = new ArrayList<>();
            if (reportingMta == null) {
                missing.add("reportingMta");
            }
            if (arrivalDate == null) {
                missing.add("arrivalDate");
            }
            if (original == null) {
                missing.add("original");
            }
            if (noticeFrom == null) {
                missing.add("noticeFrom");
            }
            if (noticeTo == null) {
                missing.add("noticeTo");
            }
            if (recipients.isEmpty()) {
                missing.add("recipient");
            }
            if (!missing.isEmpty()) {
                throw new IllegalStateException("a delivery report needs " + String.join(", ", missing));
            }
            boolean anyFailed = recipients.stream().anyMatch(recipient -> recipient.action() == Action.FAILED);
            return new DeliveryReport(this,
                returnContent.orElse(anyFailed ? ReturnContent.FULL : ReturnContent.HEADERS));
        }
    }
}
