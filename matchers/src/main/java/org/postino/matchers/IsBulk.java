package org.postino.matchers;

import java.util.Collection;
import java.util.List;
import java.util.Optional;

import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMatcher;
import org.postino.matchers.bulk.BulkCondition;

/**
 * Matches every recipient of a message that is bulk or mailing-list mail, and none otherwise.
 *
 * <h2>Signals</h2>
 * A message is bulk when at least one of the enabled signals is present:
 * <table>
 *   <caption>Signals and the headers they read</caption>
 *   <tr><th>signal</th><th>is present when</th></tr>
 *   <tr><td>{@code precedence}</td><td>a {@code Precedence} header is {@code bulk}, {@code list} or {@code junk}
 *       (case-insensitive; surrounding whitespace and {@code (comments)} ignored)</td></tr>
 *   <tr><td>{@code list-id}</td><td>a non-empty {@code List-Id} header exists (RFC 2919)</td></tr>
 *   <tr><td>{@code list-unsubscribe}</td><td>a non-empty {@code List-Unsubscribe} header exists (RFC 2369)</td></tr>
 *   <tr><td>{@code auto-submitted}</td><td>an {@code Auto-Submitted} header has a keyword other than {@code no},
 *       e.g. {@code auto-generated} or {@code auto-replied} (RFC 3834; parameters after {@code ;} and comments
 *       ignored; an empty value counts as absent)</td></tr>
 * </table>
 *
 * <h2>Condition</h2>
 * Optional. Without one ({@code match="IsBulk"}, or an empty {@code IsBulk=}) every signal counts. Otherwise a
 * comma-separated list of signal names restricts which ones count, e.g. {@code IsBulk=precedence,list-id}.
 * Names are case-insensitive; spaces around them are ignored. An unknown or empty name stops the server at
 * start-up with a message naming the matcher, the condition and the bad value.
 *
 * <h2>Example</h2>
 * Lower the queue priority of list mail (with Postino's {@code SetMailPriority} mailet):
 * <pre>{@code
 * <mailet match="org.postino.matchers.IsBulk=precedence,list-id,list-unsubscribe"
 *         class="org.postino.mailets.SetMailPriority">
 *     <priority>low</priority>
 * </mailet>
 * }</pre>
 * Drop {@code postino-matchers-*.jar} into James's {@code extensions-jars/} folder and refer to the matcher by
 * its fully qualified name, as above.
 */
public class IsBulk extends GenericMatcher {

    private BulkCondition condition = BulkCondition.allSignals();

    @Override
    public void init() throws MessagingException {
        String matcherName = Optional.ofNullable(getMatcherName()).orElse(IsBulk.class.getSimpleName());
        condition = BulkCondition.parse(matcherName, Optional.ofNullable(getCondition()));
    }

    @Override
    public Collection<MailAddress> match(Mail mail) throws MessagingException {
        if (condition.isBulk(mail.getMessage())) {
            return mail.getRecipients();
        }
        return List.of();
    }

    @Override
    public String getMatcherInfo() {
        return "IsBulk: matches bulk and mailing-list mail (" + condition + ")";
    }
}
