package org.postino.mailets;

import javax.mail.MessagingException;

import org.apache.james.queue.api.MailPrioritySupport;
import org.apache.mailet.AttributeUtils;
import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMailet;
import org.postino.mailets.message.MessageHeaders;
import org.postino.mailets.priority.MailPriority;
import org.postino.mailets.priority.SetMailPriorityConfiguration;

/**
 * Sets James's mail priority, the {@code MAIL_PRIORITY} mail attribute (an {@code Integer}, 0 lowest .. 9 highest,
 * 5 when absent). Queues that honour it, such as James's ActiveMQ queue with priority ordering turned on in the
 * broker, hand out higher priorities first. Other queues carry the attribute along and ignore it.
 *
 * <h2>Parameters</h2>
 * <table>
 *   <caption>Parameters of SetMailPriority</caption>
 *   <tr><th>parameter</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@code priority}</td><td>(required)</td>
 *       <td>{@code low} (0), {@code normal} (5), {@code high} (9), or an integer from 0 to 9.</td></tr>
 *   <tr><td>{@code onlyIfAbsent}</td><td>{@code false}</td>
 *       <td>{@code true}: a priority already set by an earlier mailet or SMTP hook is kept, and only mail without
 *       one gets {@code priority}. An attribute that does not hold an {@code Integer} counts as absent.
 *       {@code false}: {@code priority} always replaces it.</td></tr>
 *   <tr><td>{@code traceHeader}</td><td>(none)</td>
 *       <td>A header name, e.g. {@code X-Postino-Priority}. When given, the message also gets that header set to
 *       the priority the mail leaves this mailet with, so an operator can see what the pipeline decided. An
 *       existing header of that name is replaced; the new one is written at the top of the header and the rest of
 *       the message is left byte for byte as it was (nothing parses the body). The header is written only on mail this mailet processes, so
 *       strip it from incoming mail earlier in the pipeline if senders must not set it.</td></tr>
 * </table>
 * Any other parameter (apart from James's own {@code onMailetException} and {@code onMatchException}) and any bad
 * value, e.g. {@code priority=urgent}, {@code priority=12} or {@code onlyIfAbsent=maybe}, stops the server at
 * start-up with one line naming the mailet, the parameter and the value.
 *
 * <h2>Example</h2>
 * Queue bulk mail behind everything else, and show the decision in a header:
 * <pre>{@code
 * <mailet match="org.postino.matchers.IsBulk" class="org.postino.mailets.SetMailPriority">
 *     <priority>low</priority>
 *     <onlyIfAbsent>false</onlyIfAbsent>
 *     <traceHeader>X-Postino-Priority</traceHeader>
 * </mailet>
 * }</pre>
 * Drop {@code postino-mailets-*.jar} into James's {@code extensions-jars/} folder and refer to the mailet by its
 * fully qualified name, as above.
 */
public class SetMailPriority extends GenericMailet {

    private SetMailPriorityConfiguration configuration;

    @Override
    public void init() throws MessagingException {
        configuration = SetMailPriorityConfiguration.from(getMailetConfig());
    }

    @Override
    public void service(Mail mail) throws MessagingException {
        int priority = AttributeUtils.getValueAndCastFromMail(mail, MailPrioritySupport.MAIL_PRIORITY, Integer.class)
            .filter(existing -> configuration.onlyIfAbsent())
            .orElseGet(() -> setPriority(mail, configuration.priority()));

        if (configuration.traceHeader().isPresent()) {
            MessageHeaders.set(mail, configuration.traceHeader().get(), String.valueOf(priority));
        }
    }

    private int setPriority(Mail mail, MailPriority priority) {
        mail.setAttribute(priority.asAttribute());
        return priority.value();
    }

    SetMailPriorityConfiguration configuration() {
        return configuration;
    }

    @Override
    public String getMailetInfo() {
        return "SetMailPriority: sets the MAIL_PRIORITY attribute (" + configuration + ")";
    }
}
