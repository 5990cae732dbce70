package org.postino.mailets;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMailet;
import org.postino.mailets.message.MessageHeaders;

/**
 * What a message submission agent adds to a message its author's client left incomplete (RFC 6409, sections
 * 8.2 and 8.3): a {@code Date} field with the time the server took the message in, and a {@code Message-ID}
 * field. RFC 5322 requires both ({@code Date} always, {@code Message-ID} "SHOULD"); without them the message
 * is often scored as spam, replies cannot refer to it and clients sort it at the epoch. A field the message
 * already has is left alone, and nothing else in the message changes: the fields are written in front of the
 * received bytes (see {@link MessageHeaders}).
 *
 * <p>Meant for mail from the server's own users only (as {@code SMTPAuthSuccessful} matches): mail relayed in
 * from other servers is stored as received. In the {@code root} processor, after {@code AddQueueIdHeader}:
 * <pre>{@code
 * <mailet match="SMTPAuthSuccessful" class="org.postino.mailets.CompleteSubmission"/>
 * }</pre>
 * Parameter {@code domain} (optional): the part after {@code @} of the message ids made here. When absent, the
 * domain of the message's sender (an authenticated user of this server), or, for mail without one, this machine's
 * host name.
 */
public class CompleteSubmission extends GenericMailet {
    private static final Pattern DOMAIN = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*");
    /** RFC 5322's date-time, numeric zone, English names. */
    static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.ENGLISH);

    private final Supplier<ZonedDateTime> clock;
    private Optional<String> configuredDomain = Optional.empty();
    private String hostName;

    public CompleteSubmission() {
        this(ZonedDateTime::now);
    }

    CompleteSubmission(Supplier<ZonedDateTime> clock) {
        this.clock = clock;
    }

    @Override
    public void init() throws MessagingException {
        var names = getInitParameterNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!name.equals("domain")) {
                throw new MessagingException(getMailetName() + ": unknown parameter '" + name + "' (it takes only 'domain')");
            }
        }
        String domain = getInitParameter("domain");
        if (domain != null) {
            if (!DOMAIN.matcher(domain.strip()).matches()) {
                throw new MessagingException(getMailetName() + ": parameter 'domain' is not a domain name: '" + domain + "'");
            }
            configuredDomain = Optional.of(domain.strip());
        }
        hostName = localHostName();
    }

    private static String localHostName() {
        try {
            String name = InetAddress.getLocalHost().getHostName();
            return DOMAIN.matcher(name).matches() ? name : "localhost";
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    @Override
    public void service(Mail mail) throws MessagingException {
        if (mail.getMessage().getHeader("Date") == null) {
            MessageHeaders.set(mail, "Date", DATE.format(clock.get()));
        }
        if (mail.getMessage().getHeader("Message-ID") == null) {
            MessageHeaders.set(mail, "Message-ID", "<" + UUID.randomUUID() + "@" + idDomain(mail) + ">");
        }
    }

    private String idDomain(Mail mail) {
        return configuredDomain
            .or(() -> mail.getMaybeSender().asOptional().map(address -> address.getDomain().asString())
                .filter(domain -> DOMAIN.matcher(domain).matches()))
            .orElse(hostName);
    }

    @Override
    public String getMailetInfo() {
        return "Adds the Date and Message-ID fields a submitted message lacks (RFC 6409)";
    }
}
