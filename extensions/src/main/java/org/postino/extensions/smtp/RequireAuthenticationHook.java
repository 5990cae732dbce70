package org.postino.extensions.smtp;

import org.apache.james.core.MaybeSender;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.MailHook;

/**
 * Makes a listener a submission port (RFC 6409): {@code MAIL FROM} is refused with
 * {@code 530 5.7.0 Authentication required} until the client has authenticated.
 *
 * <p>Why: James's own check only stops unauthenticated <em>relaying</em> and local sender
 * addresses; on ports 587 and 465 anyone could otherwise hand over mail for local users without
 * logging in, bypassing whatever filtering port 25 applies to strangers.
 *
 * <p>Use it in the handler chain of the submission listeners only (port 25 must keep accepting
 * mail from other servers):
 * <pre>{@code
 * <handlerchain>
 *     <handler class="org.postino.extensions.smtp.RequireTlsForAuthHook"/>
 *     <handler class="org.postino.extensions.smtp.RequireAuthenticationHook"/>
 *     <handler class="org.apache.james.smtpserver.fastfail.ValidRcptHandler"/>
 *     <handler class="org.apache.james.smtpserver.CoreCmdHandlerLoader"/>
 * </handlerchain>
 * }</pre>
 * It takes no parameters.
 */
public class RequireAuthenticationHook implements MailHook {

    static final String REPLY_CODE = "530";
    static final String DESCRIPTION = "5.7.0 Authentication required";

    @Override
    public HookResult doMail(SMTPSession session, MaybeSender sender) {
        if (session.getUsername() != null) {
            return HookResult.DECLINED;
        }
        return SmtpRefusal.of(REPLY_CODE, DESCRIPTION);
    }
}
