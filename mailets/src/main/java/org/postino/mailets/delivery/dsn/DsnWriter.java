package org.postino.mailets.delivery.dsn;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import javax.mail.MessagingException;
import javax.mail.Session;
import javax.mail.internet.InternetAddress;
import javax.mail.internet.MimeMessage;
import javax.mail.internet.MimeUtility;

/**
 * Writes delivery status notifications: RFC 3464 reports inside an RFC 6522 {@code multipart/report}. This is
 * the engine's "bounce" program; it decides nothing. Whether a notice is due (NOTIFY, thresholds, a null
 * reverse-path) is the caller's business, and so is sending it, which must be done <b>with a null reverse-path</b>
 * (RFC 5321 §4.5.5) so that a notice that cannot be delivered causes no other.
 *
 * <pre>{@code
 * DsnWriter writer = DsnWriter.of(clock);                       // once, at init(): loads and checks the templates
 * DeliveryReport report = DeliveryReport.builder()
 *     .reportingMta("mx.postino.example")
 *     .arrivalDate(arrival)
 *     .envelopeId(dsn.getEnvIdParameter().map(EnvId::asString))
 *     .original(mail.getMessage())
 *     .noticeFrom(postmaster)
 *     .noticeTo(mail.getMaybeSender())                         // throws on the null sender: check first
 *     .language(Language.ITALIAN)
 *     .recipient(RecipientReport.failed(rcpt, EnhancedStatus.fromReply(550, "5.1.1 no such user"))
 *         .withRemoteMta("mx1.example.com").withDiagnostic("550 5.1.1 no such user").withLastAttempt(now))
 *     .build();
 * MimeMessage notice = writer.write(report, session);         // then send it from <>
 * }</pre>
 *
 * <p>The notice has {@code From} (the notice sender, with the template's display name), {@code To} (the original
 * reverse-path), a {@code Subject} in the report's language naming the gravest action and repeating the original
 * subject, {@code Date}, a fresh {@code Message-ID}, {@code In-Reply-To} and {@code References} when the original
 * has a Message-ID, and {@code Auto-Submitted: auto-replied} (RFC 3834) so that auto-responders stay silent. Its
 * parts are:
 * <ol>
 *   <li>{@code text/plain; charset=UTF-8}, quoted-printable: the human-readable explanation from the language's
 *       template ({@code notice-en.properties}, {@code notice-it.properties}), each recipient with its action,
 *       status and what it means, the remote reply, and for delayed ones until when the retries go on;</li>
 *   <li>{@code message/delivery-status}: {@code Original-Envelope-Id}, {@code Reporting-MTA}, {@code Arrival-Date},
 *       then per recipient {@code Original-Recipient}, {@code Final-Recipient}, {@code Action}, {@code Status},
 *       {@code Remote-MTA}, {@code Diagnostic-Code}, {@code Last-Attempt-Date}, {@code Will-Retry-Until}, each
 *       optional one only when known; printable US-ASCII, folded;</li>
 *   <li>{@code text/rfc822-headers} or {@code message/rfc822}, as the report's {@link ReturnContent} says.</li>
 * </ol>
 * Everything is 7-bit except a returned full message that is itself 8-bit; lines stay within 998 octets except
 * lines of a returned original that already exceeded them. Dates are written in the clock's zone.
 *
 * <p>Thread-safe; build one and share it.
 */
public final class DsnWriter {

    private static final String CRLF = HeaderFields.CRLF;
    private static final String BOUNDARY_PREFIX = "=_postino_dsn_";
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,50}");
    private static final Pattern MESSAGE_ID = Pattern.compile("<[!-;=?-~]+>");

    private final Clock clock;
    private final Supplier<String> uniqueTokens;
    private final Map<Language, NoticeTemplate> templates;

    private DsnWriter(Clock clock, Supplier<String> uniqueTokens, Map<Language, NoticeTemplate> templates) {
        this.clock = clock;
        this.uniqueTokens = uniqueTokens;
        this.templates = templates;
    }

    /** A writer dating its notices by {@code clock}, with random Message-IDs and boundaries. */
    public static DsnWriter of(Clock clock) {
        return of(clock, () -> UUID.randomUUID().toString());
    }

    /**
     * A writer taking one token per notice from {@code uniqueTokens} for its Message-ID
     * ({@code <token@reporting-mta>}) and MIME boundary: tests pass a constant to get byte-exact output.
     *
     * @throws IllegalStateException if a language's template is missing or incomplete
     */
    public static DsnWriter of(Clock clock, Supplier<String> uniqueTokens) {
        Map<Language, NoticeTemplate> templates = new EnumMap<>(Language.class);
        for (Language language : Language.values()) {
            templates.put(language, NoticeTemplate.of(language));
        }
        return new DsnWriter(Objects.requireNonNull(clock, "clock"), Objects.requireNonNull(uniqueTokens),
            Map.copyOf(templates));
    }

    /**
     * The notice for {@code report}, parsed into a message of {@code session}: its bytes are the ones written, and
     * writing it again gives them back unchanged.
     *
     * @throws MessagingException if the original message cannot be read
     */
    public MimeMessage write(DeliveryReport report, Session session) throws MessagingException {
        NoticeTemplate template = templates.get(report.language());
        String token = token();
        String boundary = BOUNDARY_PREFIX + token;
        ReturnedPart returned = ReturnedPart.of(report.original(), report.returnContent());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ascii(out, header(report, template, token, boundary, returned.isEightBit()));
            ascii(out, "--" + boundary + CRLF
                + "Content-Type: text/plain; charset=UTF-8" + CRLF
                + "Content-Language: " + template.language().tag() + CRLF
                + "Content-Transfer-Encoding: quoted-printable" + CRLF + CRLF);
            out.write(quotedPrintable(HumanText.of(report, template, clock.getZone())));
            ascii(out, CRLF + "--" + boundary + CRLF
                + "Content-Type: message/delivery-status" + CRLF + CRLF
                + DeliveryStatusBody.of(report, clock.getZone()));
            ascii(out, CRLF + "--" + boundary + CRLF
                + "Content-Type: " + returned.contentType() + CRLF
                + (returned.transferEncoding().equals("7bit") ? ""
                    : "Content-Transfer-Encoding: " + returned.transferEncoding() + CRLF)
                + CRLF);
            out.write(returned.content());
            ascii(out, CRLF + "--" + boundary + "--" + CRLF);
        } catch (IOException e) {
            throw new MessagingException("cannot write the notice", e);
        }
        return new MimeMessage(session, new ByteArrayInputStream(out.toByteArray()));
    }

    private String token() {
        String token = uniqueTokens.get();
        if (token == null || !TOKEN.matcher(token).matches()) {
            throw new IllegalStateException("unique token must match " + TOKEN.pattern() + ", got '" + token + "'");
        }
        return token;
    }

    private String header(DeliveryReport report, NoticeTemplate template, String token, String boundary,
                          boolean eightBit) throws MessagingException, IOException {
        Optional<String> originalId = Optional.ofNullable(report.original().getMessageID())
            .map(String::strip)
            .filter(id -> MESSAGE_ID.matcher(id).matches());
        String subject = HumanText.subject(report, template, Optional.ofNullable(report.original().getSubject()));
        StringBuilder header = new StringBuilder()
            .append(HeaderFields.field("From",
                new InternetAddress(report.noticeFrom().asString(), template.text("from.name"), "UTF-8").toString()))
            .append(HeaderFields.field("To", report.noticeTo().asString()))
            .append(HeaderFields.field("Subject",
                MimeUtility.unfold(MimeUtility.encodeText(subject, "UTF-8", null))))
            .append(HeaderFields.field("Date", HeaderFields.date(clock.instant(), clock.getZone())))
            .append(HeaderFields.field("Message-ID", "<" + token + "@" + report.reportingMta() + ">"));
        originalId.ifPresent(id -> header
            .append(HeaderFields.field("In-Reply-To", id))
            .append(HeaderFields.field("References", id)));
        return header
            .append(HeaderFields.field("Auto-Submitted", "auto-replied"))
            .append(HeaderFields.field("MIME-Version", "1.0"))
            .append("Content-Type: multipart/report; report-type=delivery-status;").append(CRLF)
            .append(" boundary=\"").append(boundary).append('"').append(CRLF)
            .append(HeaderFields.field("Content-Transfer-Encoding", eightBit ? "8bit" : "7bit"))
            .append(CRLF)
            .toString();
    }

    private static byte[] quotedPrintable(String text) throws IOException, MessagingException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream encoder = MimeUtility.encode(out, "quoted-printable")) {
            encoder.write(text.replace("\n", CRLF).getBytes(StandardCharsets.UTF_8));
        }
        return out.toByteArray();
    }

    private static void ascii(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.US_ASCII));
    }
}
