package org.postino.mailets.delivery.dsn;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An RFC 3463 enhanced mail system status code, {@code class.subject.detail} (for example {@code 5.1.10}): the
 * value of a DSN's {@code Status:} field.
 *
 * <p>{@link #fromReply(int, String)} takes the remote server's own enhanced code when its reply text starts with
 * one whose class matches the basic code's first digit (RFC 3463 §2, RFC 2034 §4); a code of the wrong class is
 * ignored. Otherwise the code is derived from the basic reply code, and only where the basic code has a single
 * meaning in the RFC that defines it; ambiguous codes become the generic {@code X.0.0}, because a wrong specific
 * status misleads the sender while the {@code Diagnostic-Code} still carries the remote's words:
 *
 * <table>
 *   <caption>Basic reply code to enhanced status, when the reply carries none</caption>
 *   <tr><th>reply</th><th>status</th><th>why</th></tr>
 *   <tr><td>2xx</td><td>2.0.0</td><td>success, nothing more to say</td></tr>
 *   <tr><td>421</td><td>4.3.2</td><td>service shutting down or overloaded: "system not accepting network
 *       messages" (X.4.2 "bad connection" is about connection quality, not a server that says no)</td></tr>
 *   <tr><td>450</td><td>4.0.0</td><td>"mailbox unavailable", but also greylisting and policy blocks
 *       (RFC 5321 §4.2.2 names both)</td></tr>
 *   <tr><td>451</td><td>4.3.0</td><td>"local error in processing": the remote mail system's own problem</td></tr>
 *   <tr><td>452</td><td>4.0.0</td><td>"insufficient system storage" (X.3.1) and also "too many recipients"
 *       (X.5.3, RFC 5321 §4.5.3.1.10)</td></tr>
 *   <tr><td>454</td><td>4.7.0</td><td>TLS not available (RFC 3207) or temporary authentication failure
 *       (RFC 4954): both security</td></tr>
 *   <tr><td>500</td><td>5.5.2</td><td>syntax error, command unrecognized</td></tr>
 *   <tr><td>501, 504, 555</td><td>5.5.4</td><td>invalid command arguments / parameters</td></tr>
 *   <tr><td>502, 503</td><td>5.5.1</td><td>command not implemented / out of sequence</td></tr>
 *   <tr><td>521</td><td>5.3.2</td><td>host does not accept mail (RFC 7504)</td></tr>
 *   <tr><td>530</td><td>5.7.0</td><td>authentication required (RFC 4954)</td></tr>
 *   <tr><td>534</td><td>5.7.9</td><td>authentication mechanism too weak (RFC 4954)</td></tr>
 *   <tr><td>535</td><td>5.7.8</td><td>authentication credentials invalid (RFC 4954)</td></tr>
 *   <tr><td>550</td><td>5.0.0</td><td>"mailbox unavailable": no such user (5.1.1), policy (5.7.1), relay
 *       denied, spam... the commonest and least specific reply</td></tr>
 *   <tr><td>551</td><td>5.1.6</td><td>user not local, mailbox has moved</td></tr>
 *   <tr><td>552</td><td>5.0.0</td><td>"exceeded storage allocation" (X.2.2) and "message too big"
 *       (RFC 1870, X.3.4)</td></tr>
 *   <tr><td>553</td><td>5.1.0</td><td>"mailbox name not allowed": some address problem, syntax or policy</td></tr>
 *   <tr><td>554</td><td>5.0.0</td><td>"transaction failed", for any reason</td></tr>
 *   <tr><td>556</td><td>5.1.10</td><td>domain does not accept mail (RFC 7504, null MX of RFC 7505)</td></tr>
 *   <tr><td>any other 4xx / 5xx</td><td>4.0.0 / 5.0.0</td><td></td></tr>
 * </table>
 *
 * <p>The constants name the statuses the delivery engine sets itself, when no server replied. RFC 3463 asks for the
 * code of the actual problem rather than {@code X.4.7} when it is known: a mail that expires after repeated
 * {@link #CONNECTION} failures is best failed with that {@code 4.4.1} (class 4 is "persistent transient failure",
 * valid with {@code Action: failed}); {@link #EXPIRED_FAILED} is for when there is nothing better to say.
 */
public final class EnhancedStatus {

    /** 5.1.10: the recipient's domain publishes a null MX (RFC 7505); no connection is attempted. */
    public static final EnhancedStatus NULL_MX = new EnhancedStatus(5, 1, 10);
    /** 5.1.2 "bad destination system address": the recipient's domain does not exist (NXDOMAIN). */
    public static final EnhancedStatus NO_SUCH_DOMAIN = new EnhancedStatus(5, 1, 2);
    /** 4.4.3 "directory server failure": DNS failed temporarily (SERVFAIL, timeout). */
    public static final EnhancedStatus DNS_TEMP = new EnhancedStatus(4, 4, 3);
    /** 4.4.1 "no answer from host": no MX host could be connected to. */
    public static final EnhancedStatus CONNECTION = new EnhancedStatus(4, 4, 1);
    /** 4.4.2 "bad connection": the connection was lost or timed out during the transaction. */
    public static final EnhancedStatus CONNECTION_LOST = new EnhancedStatus(4, 4, 2);
    /** 4.4.7 "delivery time expired", in a {@code delayed} notice: still queued, past a notice threshold. */
    public static final EnhancedStatus EXPIRED_DELAYED = new EnhancedStatus(4, 4, 7);
    /** 5.4.7 "delivery time expired", in a {@code failed} notice after the queue lifetime. */
    public static final EnhancedStatus EXPIRED_FAILED = new EnhancedStatus(5, 4, 7);
    /**
     * 4.7.4 "security features not supported": TLS is required for the destination and the server does not offer
     * STARTTLS, so nothing is sent in clear. (X.7.10 "encryption needed" is about AUTH mechanisms, RFC 4954, and
     * X.7.30 is for the REQUIRETLS extension, RFC 8689; RFC 7672 registers no code.)
     */
    public static final EnhancedStatus TLS_REQUIRED = new EnhancedStatus(4, 7, 4);
    /** 4.7.5 "cryptographic failure": the TLS handshake or the certificate check failed. */
    public static final EnhancedStatus TLS_FAILED = new EnhancedStatus(4, 7, 5);
    /** 2.0.0: delivered or relayed, nothing more to say. */
    public static final EnhancedStatus SUCCESS = new EnhancedStatus(2, 0, 0);

    private static final Pattern CODE = Pattern.compile("([245])\\.([0-9]{1,3})\\.([0-9]{1,3})");
    // The same at the start of a reply text, followed by whitespace or the end; an optional "550 "/"550-" before it.
    private static final Pattern LEADING = Pattern.compile("^(?:[0-9]{3}[ -])?" + CODE.pattern() + "(?=\\s|$)");

    private static final Map<Integer, EnhancedStatus> BY_REPLY = Map.ofEntries(
        Map.entry(421, new EnhancedStatus(4, 3, 2)),
        Map.entry(451, new EnhancedStatus(4, 3, 0)),
        Map.entry(454, new EnhancedStatus(4, 7, 0)),
        Map.entry(500, new EnhancedStatus(5, 5, 2)),
        Map.entry(501, new EnhancedStatus(5, 5, 4)),
        Map.entry(502, new EnhancedStatus(5, 5, 1)),
        Map.entry(503, new EnhancedStatus(5, 5, 1)),
        Map.entry(504, new EnhancedStatus(5, 5, 4)),
        Map.entry(521, new EnhancedStatus(5, 3, 2)),
        Map.entry(530, new EnhancedStatus(5, 7, 0)),
        Map.entry(534, new EnhancedStatus(5, 7, 9)),
        Map.entry(535, new EnhancedStatus(5, 7, 8)),
        Map.entry(551, new EnhancedStatus(5, 1, 6)),
        Map.entry(553, new EnhancedStatus(5, 1, 0)),
        Map.entry(555, new EnhancedStatus(5, 5, 4)),
        Map.entry(556, NULL_MX));

    private final int statusClass;
    private final int subject;
    private final int detail;

    private EnhancedStatus(int statusClass, int subject, int detail) {
        this.statusClass = statusClass;
        this.subject = subject;
        this.detail = detail;
    }

    public static EnhancedStatus of(int statusClass, int subject, int detail) {
        if (statusClass != 2 && statusClass != 4 && statusClass != 5) {
            throw new IllegalArgumentException("status class must be 2, 4 or 5, got " + statusClass);
        }
        if (subject < 0 || subject > 999 || detail < 0 || detail > 999) {
            throw new IllegalArgumentException("status subject and detail must be in 0..999, got "
                + subject + "." + detail);
        }
        return new EnhancedStatus(statusClass, subject, detail);
    }

    /**
     * Reads {@code class.subject.detail} as RFC 3463 writes it: class 2, 4 or 5, subject and detail of one to
     * three digits; surrounding whitespace is ignored.
     *
     * @throws IllegalArgumentException on anything else, naming the text
     */
    public static EnhancedStatus parse(String text) {
        Matcher matcher = CODE.matcher(text.trim());
        if (!matcher.matches()) {
            throw new IllegalArgumentException("not an enhanced status code (class.subject.detail): '" + text + "'");
        }
        return of(matcher);
    }

    /**
     * The status of an SMTP reply: the enhanced code at the start of {@code replyText} when it has one of the same
     * class as {@code basicCode}, else the code mapped from {@code basicCode} (see the table above).
     *
     * @param basicCode the three-digit reply code, 2xx, 4xx or 5xx
     * @param replyText the reply text after the code, such as {@code "5.1.1 user unknown"}; a leading copy of the
     *                  code ({@code "550 5.1.1 ..."} or {@code "550-5.1.1 ..."}) is tolerated
     * @throws IllegalArgumentException if {@code basicCode} is not 2xx, 4xx or 5xx
     */
    public static EnhancedStatus fromReply(int basicCode, String replyText) {
        int replyClass = basicCode / 100;
        if (basicCode < 200 || basicCode > 599 || replyClass == 3) {
            throw new IllegalArgumentException("only 2xx, 4xx and 5xx replies carry a delivery status, got "
                + basicCode);
        }
        Matcher matcher = LEADING.matcher(Objects.requireNonNull(replyText, "replyText").stripLeading());
        if (matcher.find() && Integer.parseInt(matcher.group(1)) == replyClass) {
            return of(matcher);
        }
        return Optional.ofNullable(BY_REPLY.get(basicCode))
            .orElseGet(() -> new EnhancedStatus(replyClass, 0, 0));
    }

    private static EnhancedStatus of(Matcher matcher) {
        return of(Integer.parseInt(matcher.group(1)), Integer.parseInt(matcher.group(2)),
            Integer.parseInt(matcher.group(3)));
    }

    public int statusClass() {
        return statusClass;
    }

    public int subject() {
        return subject;
    }

    public int detail() {
        return detail;
    }

    public boolean isSuccess() {
        return statusClass == 2;
    }

    public boolean isTransient() {
        return statusClass == 4;
    }

    public boolean isPermanent() {
        return statusClass == 5;
    }

    /** {@code class.subject.detail}, as written in a {@code Status:} field. */
    public String asString() {
        return statusClass + "." + subject + "." + detail;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof EnhancedStatus)) {
            return false;
        }
        EnhancedStatus other = (EnhancedStatus) o;
        return statusClass == other.statusClass && subject == other.subject && detail == other.detail;
    }

    @Override
    public int hashCode() {
        return Objects.hash(statusClass, subject, detail);
    }

    @Override
    public String toString() {
        return asString();
    }
}
