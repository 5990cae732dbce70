package org.postino.extensions.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.james.core.Username;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.HookReturnCode;
import org.junit.jupiter.api.Test;

class RequireAuthenticationHookTest {

    private final RequireAuthenticationHook testee = new RequireAuthenticationHook();

    @Test
    void doMailShouldRefuseWith530WhenNotAuthenticated() throws Exception {
        SMTPSession session = mock(SMTPSession.class);

        HookResult result = testee.doMail(session, MaybeSender.of(new MailAddress("bob@remote.test")));

        assertThat(result.getResult()).isEqualTo(HookReturnCode.deny());
        assertThat(result.getSmtpRetCode()).isEqualTo("530");
        assertThat(result.getSmtpDescription()).isEqualTo("5.7.0 Authentication required");
    }

    @Test
    void doMailShouldRefuseNullSenderWhenNotAuthenticated() {
        HookResult result = testee.doMail(mock(SMTPSession.class), MaybeSender.nullSender());

        assertThat(result.getSmtpRetCode()).isEqualTo("530");
    }

    @Test
    void doMailShouldLetTheNextHookDecideWhenAuthenticated() throws Exception {
        SMTPSession session = mock(SMTPSession.class);
        when(session.getUsername()).thenReturn(Username.of("alice@example.com"));

        assertThat(testee.doMail(session, MaybeSender.of(new MailAddress("alice@example.com")))).isEqualTo(HookResult.DECLINED);
    }
}
