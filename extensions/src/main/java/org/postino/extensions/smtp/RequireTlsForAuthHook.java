package org.postino.extensions.smtp;

import org.apache.james.core.Username;
import org.apache.james.protocols.api.OidcSASLConfiguration;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.AuthHook;
import org.apache.james.protocols.smtp.hook.HookResult;

/**
 * Refuses SMTP AUTH on a connection that is not encrypted, with the RFC 4954 reply
 * {@code 538 5.7.11 Encryption required for requested authentication mechanism}.
 *
 * <p>Why: James's {@code <requireSSL>} only hides AUTH from the EHLO response; a client that
 * sends AUTH anyway is still authenticated, and its password has crossed the network in clear.
 * With this hook a password is never accepted without TLS (STARTTLS or implicit TLS).
 *
 * <p>The hook only ever refuses; on a TLS connection it lets the next authentication hook decide.
 * Declare it in each {@code <smtpserver>}'s handler chain <em>before</em> the core handlers, so
 * it runs before the hook that checks the password:
 * <pre>{@code
 * <handlerchain>
 *     <handler class="org.postino.extensions.smtp.RequireTlsForAuthHook"/>
 *     <handler class="org.apache.james.smtpserver.fastfail.ValidRcptHandler"/>
 *     <handler class="org.apache.james.smtpserver.CoreCmdHandlerLoader"/>
 * </handlerchain>
 * }</pre>
 * It takes no parameters.
 */
public class RequireTlsForAuthHook implements AuthHook {

    static final String REPLY_CODE = "538";
    static final String DESCRIPTION = "5.7.11 Encryption required for requested authentication mechanism";

    @Override
    public HookResult doAuth(SMTPSession session, Username username, String password) {
        if (session.isTLSStarted()) {
            return HookResult.DECLINED;
        }
        return SmtpRefusal.of(REPLY_CODE, DESCRIPTION);
    }

    @Override
    public HookResult doSasl(SMTPSession session, OidcSASLConfiguration configuration, String initialResponse) {
        return doAuth(session, null, null);
    }
}
