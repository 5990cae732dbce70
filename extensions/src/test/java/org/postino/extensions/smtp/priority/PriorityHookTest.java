package org.postino.extensions.smtp.priority;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.io.File;
import java.io.FileNotFoundException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import org.apache.commons.configuration2.BaseHierarchicalConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.core.Username;
import org.apache.james.core.builder.MimeMessageBuilder;
import org.apache.james.filesystem.api.FileSystem;
import org.apache.james.protocols.api.ProtocolSession.State;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.HookReturnCode;
import org.apache.james.queue.api.MailPrioritySupport;
import org.apache.mailet.AttributeUtils;
import org.apache.mailet.Mail;
import org.apache.mailet.base.test.FakeMail;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PriorityHookTest {

    private static final String LOCATION = "file://conf/priority.properties";

    private final FileSystem fileSystem = mock(FileSystem.class);
    private final PriorityHook testee = new PriorityHook(fileSystem);

    @Test
    void ehloShouldAdvertiseMtPriority() {
        assertThat(testee.implementedEsmtpFeatures(mock(SMTPSession.class))).containsExactly("MT-PRIORITY");
        assertThat(testee.doHelo(mock(SMTPSession.class), "client.example.com")).isEqualTo(HookResult.DECLINED);
    }

    @Test
    void theHookShouldClaimTheMtPriorityParameter() {
        assertThat(testee.getMailParamNames()).containsExactly("MT-PRIORITY");
    }

    @Test
    void doMailParameterShouldKeepAValidValueForTheTransaction() {
        SMTPSession session = mock(SMTPSession.class);

        assertThat(testee.doMailParameter(session, "MT-PRIORITY", "-3")).isEqualTo(HookResult.DECLINED);

        verify(session).setAttachment(PriorityHook.MT_PRIORITY, MtPriority.of(-3), State.Transaction);
    }

    @Test
    void doMailParameterShouldAcceptAPositiveValueFromAStrangerWithoutHonouringItYet() {
        SMTPSession session = mock(SMTPSession.class);

        assertThat(testee.doMailParameter(session, "MT-PRIORITY", "9")).isEqualTo(HookResult.DECLINED);
    }

    @Test
    void doMailParameterShouldRefuseAMalformedValueWith501() {
        SMTPSession session = mock(SMTPSession.class);

        HookResult result = testee.doMailParameter(session, "MT-PRIORITY", "10");

        assertThat(result.getResult()).isEqualTo(HookReturnCode.deny());
        assertThat(result.getSmtpRetCode()).isEqualTo("501");
        assertThat(result.getSmtpDescription()).startsWith("5.5.4 ");
        verify(session, never()).setAttachment(any(), any(), any());
    }

    @Test
    void onMessageShouldSetHighPriorityOnAuthenticatedSubmission() throws Exception {
        Mail mail = mail();

        assertThat(testee.onMessage(session(true, Optional.empty()), mail)).isEqualTo(HookResult.DECLINED);

        assertThat(priorityOf(mail)).contains(9);
    }

    @Test
    void onMessageShouldSetNormalPriorityOnAStrangersMailAskingForHigh() throws Exception {
        Mail mail = mail("X-Priority", "1 (Highest)");

        testee.onMessage(session(false, Optional.of(MtPriority.of(9))), mail);

        assertThat(priorityOf(mail)).contains(5);
    }

    @Test
    void onMessageShouldUseTheTrustedMtPriorityFromTheSession() throws Exception {
        Mail mail = mail("Precedence", "bulk");

        testee.onMessage(session(true, Optional.of(MtPriority.of(4))), mail);

        assertThat(priorityOf(mail)).contains(7);
    }

    @Test
    void initShouldReadThePolicyFile(@TempDir Path directory) throws Exception {
        when(fileSystem.getFile(LOCATION)).thenReturn(file(directory, "level.authenticated = 7\nheaders.trust = all\n"));

        testee.init(config(LOCATION));

        assertThat(testee.policy().levels().authenticated().value()).isEqualTo(7);
        assertThat(testee.policy().headersTrust()).isEqualTo(Trust.ALL);
        Mail mail = mail();
        testee.onMessage(session(true, Optional.empty()), mail);
        assertThat(priorityOf(mail)).contains(7);
    }

    @Test
    void initWithoutAPolicyShouldUseTheDefaults() throws Exception {
        testee.init(new BaseHierarchicalConfiguration());

        assertThat(testee.policy().toString()).isEqualTo(PriorityPolicy.defaults().toString());
    }

    @Test
    void initShouldFailNamingTheFileWhenAValueIsBad(@TempDir Path directory) throws Exception {
        when(fileSystem.getFile(LOCATION)).thenReturn(file(directory, "mtPriority.trust = everybody\n"));

        assertThatThrownBy(() -> testee.init(config(LOCATION)))
            .isInstanceOf(ConfigurationException.class)
            .hasMessageContaining(LOCATION)
            .hasMessageContaining("mtPriority.trust = 'everybody'");
    }

    @Test
    void initShouldFailWhenThePolicyFileIsMissing() throws Exception {
        when(fileSystem.getFile(LOCATION)).thenThrow(new FileNotFoundException("conf/priority.properties"));

        assertThatThrownBy(() -> testee.init(config(LOCATION)))
            .isInstanceOf(ConfigurationException.class)
            .hasMessageContaining("policy = '" + LOCATION + "'");
    }

    @Test
    void initShouldRejectUnknownParameters() {
        BaseHierarchicalConfiguration config = new BaseHierarchicalConfiguration();
        config.addProperty("[@class]", PriorityHook.class.getName());
        config.addProperty("polcy", LOCATION);

        assertThatThrownBy(() -> testee.init(config))
            .isInstanceOf(ConfigurationException.class)
            .hasMessageContaining("polcy");
    }

    private static SMTPSession session(boolean authenticated, Optional<MtPriority> mtPriority) {
        SMTPSession session = mock(SMTPSession.class);
        when(session.getUsername()).thenReturn(authenticated ? Username.of("alice@example.com") : null);
        when(session.isRelayingAllowed()).thenReturn(authenticated);
        when(session.getAttachment(PriorityHook.MT_PRIORITY, State.Transaction)).thenReturn(mtPriority);
        return session;
    }

    private static Mail mail(String... header) throws Exception {
        MimeMessageBuilder message = MimeMessageBuilder.mimeMessageBuilder().setSubject("hello").setText("body");
        if (header.length == 2) {
            message.addHeader(header[0], header[1]);
        }
        return FakeMail.builder().name("mail").sender("alice@example.com").recipient("bob@example.org")
            .size(1000).mimeMessage(message).build();
    }

    private static Optional<Integer> priorityOf(Mail mail) {
        return AttributeUtils.getValueAndCastFromMail(mail, MailPrioritySupport.MAIL_PRIORITY, Integer.class);
    }

    private static BaseHierarchicalConfiguration config(String policy) {
        BaseHierarchicalConfiguration config = new BaseHierarchicalConfiguration();
        config.addProperty("[@class]", PriorityHook.class.getName());
        config.addProperty("policy", policy);
        return config;
    }

    private static File file(Path directory, String content) throws Exception {
        Path file = directory.resolve("priority.properties");
        Files.writeString(file, content, StandardCharsets.UTF_8);
        return file.toFile();
    }
}
