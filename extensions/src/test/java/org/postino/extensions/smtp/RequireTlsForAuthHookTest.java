package org.postino.extensions.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import org.apache.james.core.Username;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.HookReturnCode;
import org.junit.jupiter.api.Test;

class RequireTlsForAuthHookTest {

    private final RequireTlsForAuthHook testee = new RequireTlsForAuthHook();

    @Test
    void doAuthShouldDenyWith538WhenTlsIsNotStarted() {
        SMTPSession session = session(false);

        HookResult result = testee.doAuth(session, Username.of("alice@example.com"), "secret");

        assertThat(result.getResult()).isEqualTo(HookReturnCode.deny());
        assertThat(result.getSmtpRetCode()).isEqualTo("538");
        assertThat(result.getSmtpDescription()).startsWith("5.7.11 ");
    }

    @Test
    void doAuthShouldLetTheNextHookDecideWhenTlsIsStarted() {
        HookResult result = testee.doAuth(session(true), Username.of("alice@example.com"), "secret");

        assertThat(result).isEqualTo(HookResult.DECLINED);
    }

    @Test
    void doSaslShouldDenyWhenTlsIsNotStarted() {
        HookResult result = testee.doSasl(session(false), null, "token");

        assertThat(result.getSmtpRetCode()).isEqualTo("538");
    }

    @Test
    void doSaslShouldLetTheNextHookDecideWhenTlsIsStarted() {
        assertThat(testee.doSasl(session(true), null, "token")).isEqualTo(HookResult.DECLINED);
    }

    private static SMTPSession session(boolean tls) {
        SMTPSession session = mock(SMTPSession.class);
        when(session.isTLSStarted()).thenReturn(tls);
        return session;
    }
}
