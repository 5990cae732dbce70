package org.postino.extensions.smtp.priority;

import java.util.Optional;
import java.util.OptionalLong;
import java.util.Properties;

import javax.mail.MessagingException;

import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.mailet.Mail;
import org.postino.mailets.priority.MailPriority;
import org.postino.matchers.bulk.BulkCondition;

/**
 * The ingress priority policy, parsed once from {@code conf/priority.properties} and immutable after that.
 *
 * <h2>Keys</h2>
 * <table>
 *   <caption>Keys of priority.properties</caption>
 *   <tr><th>key</th><th>default</th><th>allowed</th><th>meaning</th></tr>
 *   <tr><td>{@code mtPriority.trust}</td><td>{@code authenticated}</td><td>{@code none}, {@code authenticated},
 *       {@code relay}, {@code all}</td><td>who may raise a message's priority with the MAIL parameter
 *       {@code MT-PRIORITY} (RFC 6710)</td></tr>
 *   <tr><td>{@code headers.trust}</td><td>{@code authenticated}</td><td>same</td>
 *       <td>who may raise it with {@code X-Priority}, {@code Importance}, {@code Priority} headers</td></tr>
 *   <tr><td>{@code level.default}</td><td>{@code normal} (5)</td><td rowspan="7">{@code low}, {@code normal},
 *       {@code high} or 0..9</td><td>mail no rule below applies to</td></tr>
 *   <tr><td>{@code level.authenticated}</td><td>{@code high} (9)</td><td>mail from a logged-in client</td></tr>
 *   <tr><td>{@code level.headersHigh}</td><td>{@code high} (9)</td><td>headers ask for high, from a client
 *       {@code headers.trust} trusts</td></tr>
 *   <tr><td>{@code level.headersLow}</td><td>{@code low} (0)</td><td>headers ask for low (from anyone)</td></tr>
 *   <tr><td>{@code level.bulk}</td><td>{@code low} (0)</td><td>bulk mail, see {@code bulk.signals}</td></tr>
 *   <tr><td>{@code level.large}</td><td>{@code low} (0)</td><td>mail above {@code large.threshold}</td></tr>
 *   <tr><td>{@code level.notice}</td><td>{@code low} (0)</td><td>delivery notices (null reverse-path
 *       {@code MAIL FROM:<>})</td></tr>
 *   <tr><td>{@code large.threshold}</td><td>{@code 10M}</td><td>a size ({@code 512K}, {@code 10M}, {@code 1G},
 *       bytes without a unit; at least 1) or {@code unlimited}</td><td>larger messages are "large"</td></tr>
 *   <tr><td>{@code bulk.signals}</td><td>all four</td><td>comma list of {@code precedence}, {@code list-id},
 *       {@code list-unsubscribe}, {@code auto-submitted}</td><td>what makes mail bulk; the same signals as the
 *       {@code IsBulk} matcher</td></tr>
 * </table>
 *
 * <h2>Order of precedence</h2>
 * The first rule that applies decides:
 * <ol>
 *   <li>{@code MT-PRIORITY} other than 0 from a client {@code mtPriority.trust} trusts: its value, mapped as
 *       {@link MtPriority} documents;</li>
 *   <li>delivery notice: {@code level.notice};</li>
 *   <li>bulk: {@code level.bulk};</li>
 *   <li>large: {@code level.large};</li>
 *   <li>headers ask for low: {@code level.headersLow};</li>
 *   <li>headers ask for high, client trusted for headers: {@code level.headersHigh};</li>
 *   <li>client authenticated: {@code level.authenticated};</li>
 *   <li>otherwise {@code level.default}.</li>
 * </ol>
 * Then a negative {@code MT-PRIORITY} from a client that is not trusted may still lower the result (never raise
 * it): asking to wait is harmless, so RFC 6710 senders that lower their own mail are honoured. A positive one is
 * ignored, not refused. {@code MT-PRIORITY=0} is the RFC's "normal", the same as no parameter, so it changes
 * nothing.
 */
public final class PriorityPolicy {

    private final Trust mtPriorityTrust;
    private final Trust headersTrust;
    private final Levels levels;
    private final OptionalLong largeThreshold;
    private final BulkCondition bulk;

    /** The level each rule assigns. */
    record Levels(MailPriority defaultLevel, MailPriority authenticated, MailPriority headersHigh,
                  MailPriority headersLow, MailPriority bulk, MailPriority large, MailPriority notice) {
    }

    PriorityPolicy(Trust mtPriorityTrust, Trust headersTrust, Levels levels, OptionalLong largeThreshold,
                   BulkCondition bulk) {
        this.mtPriorityTrust = mtPriorityTrust;
        this.headersTrust = headersTrust;
        this.levels = levels;
        this.largeThreshold = largeThreshold;
        this.bulk = bulk;
    }

    public static PriorityPolicy defaults() {
        try {
            return fromProperties(new Properties(), "(defaults)");
        } catch (ConfigurationException e) {
            throw new IllegalStateException("the default priority policy must parse", e);
        }
    }

    /**
     * @param source names the file in error messages, e.g. {@code file://conf/priority.properties}
     * @throws ConfigurationException listing every unknown key and bad value, each with the file, key and value
     */
    public static PriorityPolicy fromProperties(Properties properties, String source) throws ConfigurationException {
        return new PolicyReader(properties, source).read();
    }

    public Decision decide(Client client, Optional<MtPriority> mtPriority, Mail mail) throws MessagingException {
        Optional<MtPriority> requested = mtPriority.filter(value -> !value.isNormal());
        boolean trusted = mtPriorityTrust.trusts(client);
        if (trusted && requested.isPresent()) {
            return new Decision(requested.get().toMailPriority(), Reason.MT_PRIORITY);
        }
        Decision byRules = byRules(client, mail);
        return requested
            .filter(value -> value.value() < 0)
            .map(MtPriority::toMailPriority)
            .filter(lowered -> lowered.value() < byRules.priority().value())
            .map(lowered -> new Decision(lowered, Reason.MT_PRIORITY_LOWERED))
            .orElse(byRules);
    }

    private Decision byRules(Client client, Mail mail) throws MessagingException {
        if (mail.getMaybeSender().isNullSender()) {
            return new Decision(levels.notice(), Reason.NOTICE);
        }
        if (bulk.isBulk(mail.getMessage())) {
            return new Decision(levels.bulk(), Reason.BULK);
        }
        if (largeThreshold.isPresent() && mail.getMessageSize() > largeThreshold.getAsLong()) {
            return new Decision(levels.large(), Reason.LARGE);
        }
        HeaderPriority headers = HeaderPriority.of(mail.getMessage());
        if (headers == HeaderPriority.LOW) {
            return new Decision(levels.headersLow(), Reason.HEADERS_LOW);
        }
        if (headers == HeaderPriority.HIGH && headersTrust.trusts(client)) {
            return new Decision(levels.headersHigh(), Reason.HEADERS_HIGH);
        }
        if (client.authenticated()) {
            return new Decision(levels.authenticated(), Reason.AUTHENTICATED);
        }
        return new Decision(levels.defaultLevel(), Reason.DEFAULT);
    }

    Trust mtPriorityTrust() {
        return mtPriorityTrust;
    }

    Trust headersTrust() {
        return headersTrust;
    }

    Levels levels() {
        return levels;
    }

    OptionalLong largeThreshold() {
        return largeThreshold;
    }

    BulkCondition bulk() {
        return bulk;
    }

    @Override
    public String toString() {
        return "PriorityPolicy[mtPriority.trust=" + mtPriorityTrust.configName()
            + ", headers.trust=" + headersTrust.configName()
            + ", " + levels
            + ", large.threshold=" + (largeThreshold.isPresent() ? largeThreshold.getAsLong() : "unlimited")
            + ", " + bulk + "]";
    }
}
