package org.postino.server.autoconfig;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

import org.apache.commons.configuration2.HierarchicalConfiguration;
import org.apache.commons.configuration2.XMLConfiguration;
import org.apache.commons.configuration2.io.FileHandler;
import org.apache.commons.configuration2.tree.ImmutableNode;
import org.apache.james.server.core.configuration.ConfigurationProvider;
import org.junit.jupiter.api.Test;
import org.postino.server.autoconfig.ClientSetup.Protocol;
import org.postino.server.autoconfig.ClientSetup.Security;
import org.postino.server.autoconfig.ClientSetup.Service;
import org.postino.server.config.PostinoSettings;
import org.postino.server.config.StrictProperties;
import org.postino.server.network.ListenerPolicy;

class ClientSetupTest {

    private static final Path SHIPPED_CONF = Path.of("..", "conf");
    private static final String HOOK = "<handlerchain><handler class=\"org.postino.extensions.smtp.RequireTlsForAuthHook\"/>"
        + "<handler class=\"org.apache.james.smtpserver.CoreCmdHandlerLoader\"/></handlerchain>";

    @Test
    void theShippedListenersGiveImplicitTlsFirstThenStartTlsAndNeverPort25OrPop3WithoutTls() throws Exception {
        ClientSetup setup = ClientSetup.fromListeners("mail.example.com", shipped("imapserver"), shipped("smtpserver"),
            shipped("pop3server"));

        assertThat(setup.hostname()).isEqualTo("mail.example.com");
        assertThat(setup.of(Protocol.IMAP)).containsExactly(
            new Service(Protocol.IMAP, 993, Security.IMPLICIT_TLS), new Service(Protocol.IMAP, 143, Security.STARTTLS));
        // 110 is disabled, and James's POP3 accepts USER/PASS before STLS anyway
        assertThat(setup.of(Protocol.POP3)).containsExactly(new Service(Protocol.POP3, 995, Security.IMPLICIT_TLS));
        // 25 does not announce AUTH: it is for other servers
        assertThat(setup.of(Protocol.SMTP)).containsExactly(
            new Service(Protocol.SMTP, 465, Security.IMPLICIT_TLS), new Service(Protocol.SMTP, 587, Security.STARTTLS));
    }

    @Test
    void thePortsAreTheOnesListenerPolicyBindsNotTheOnesWritten() throws Exception {
        ConfigurationProvider files = (component, level) -> shipped(component);
        Properties properties = new Properties();
        properties.setProperty("listen.address", "127.0.0.1");
        ListenerPolicy unprivileged = new ListenerPolicy(files,
            PostinoSettings.from(new StrictProperties("postino.properties", properties), Path.of("/tmp")), false,
            (host, port) -> true); // every port "in use": the running server holds them, and that must not matter

        ClientSetup setup = ClientSetup.fromListeners("mail.example.com", unprivileged.effectiveConfiguration("imapserver"),
            unprivileged.effectiveConfiguration("smtpserver"), unprivileged.effectiveConfiguration("pop3server"));

        assertThat(setup.of(Protocol.IMAP)).extracting(Service::port).containsExactly(10993, 10143);
        assertThat(setup.of(Protocol.POP3)).extracting(Service::port).containsExactly(10995);
        assertThat(setup.of(Protocol.SMTP)).extracting(Service::port).containsExactly(10465, 10587);
    }

    @Test
    void imapStartTlsIsAnnouncedOnlyWhenLoginBeforeTlsIsRefused() throws Exception {
        ClientSetup setup = imap("<imapservers>"
            + "<imapserver><bind>0.0.0.0:1143</bind><tls socketTLS=\"false\" startTLS=\"true\"/>"
            + "<plainAuthDisallowed>false</plainAuthDisallowed></imapserver>"
            + "<imapserver><bind>0.0.0.0:2143</bind><tls socketTLS=\"false\" startTLS=\"true\"/>"
            + "<auth><requireSSL>false</requireSSL></auth></imapserver>"
            + "<imapserver><bind>0.0.0.0:3143</bind><tls socketTLS=\"false\" startTLS=\"true\"/></imapserver>"
            + "<imapserver><bind>0.0.0.0:4143</bind><tls socketTLS=\"false\" startTLS=\"true\"/>"
            + "<plainAuthDisallowed>false</plainAuthDisallowed><auth><requireSSL>true</requireSSL></auth></imapserver>"
            + "</imapservers>");

        // 3143: James's default (plainAuthDisallowed true); 4143: auth.requireSSL wins over the older key
        assertThat(setup.of(Protocol.IMAP)).extracting(Service::port).containsExactly(3143, 4143);
    }

    @Test
    void listenersWithoutTlsDisabledOrWithoutPasswordLoginAreLeftOut() throws Exception {
        ClientSetup setup = imap("<imapservers>"
            + "<imapserver><bind>0.0.0.0:143</bind><tls socketTLS=\"false\" startTLS=\"false\"/></imapserver>"
            + "<imapserver><bind>0.0.0.0:144</bind></imapserver>"
            + "<imapserver enabled=\"false\"><bind>0.0.0.0:993</bind><tls socketTLS=\"true\"/></imapserver>"
            + "<imapserver><bind>0.0.0.0:994</bind><tls socketTLS=\"true\"/><auth><plainAuthEnabled>false</plainAuthEnabled></auth></imapserver>"
            + "<imapserver><bind>0.0.0.0:995</bind><tls socketTLS=\"true\"/></imapserver>"
            + "</imapservers>");

        assertThat(setup.of(Protocol.IMAP)).containsExactly(new Service(Protocol.IMAP, 995, Security.IMPLICIT_TLS));
    }

    @Test
    void smtpStartTlsNeedsPostinosHookBecauseRequireSslOnlyHidesAuth() throws Exception {
        ClientSetup setup = smtp("<smtpservers>"
            + "<smtpserver><bind>0.0.0.0:587</bind><tls socketTLS=\"false\" startTLS=\"true\"/>"
            + "<auth><announce>always</announce><requireSSL>true</requireSSL></auth></smtpserver>"
            + "<smtpserver><bind>0.0.0.0:588</bind><tls socketTLS=\"false\" startTLS=\"true\"/>"
            + "<auth><announce>always</announce></auth>" + HOOK + "</smtpserver>"
            + "</smtpservers>");

        assertThat(setup.of(Protocol.SMTP)).containsExactly(new Service(Protocol.SMTP, 588, Security.STARTTLS));
    }

    @Test
    void smtpListenersThatDoNotAnnounceAuthAreForOtherServers() throws Exception {
        ClientSetup setup = smtp("<smtpservers>"
            + "<smtpserver><bind>0.0.0.0:465</bind><tls socketTLS=\"true\"/><auth><announce>never</announce></auth></smtpserver>"
            + "<smtpserver><bind>0.0.0.0:466</bind><tls socketTLS=\"true\"/></smtpserver>"
            + "<smtpserver><bind>0.0.0.0:467</bind><tls socketTLS=\"true\"/><authRequired>true</authRequired></smtpserver>"
            + "<smtpserver><bind>0.0.0.0:468</bind><tls socketTLS=\"true\"/>"
            + "<auth><announce>forUnauthorizedAddresses</announce><plainAuthEnabled>false</plainAuthEnabled></auth></smtpserver>"
            + "<smtpserver><bind>0.0.0.0:469</bind><tls socketTLS=\"true\"/><auth><announce>forUnauthorizedAddresses</announce></auth></smtpserver>"
            + "</smtpservers>");

        // 466: neither auth.announce nor authRequired, James does not offer AUTH; 467: the older key
        assertThat(setup.of(Protocol.SMTP)).extracting(Service::port).containsExactly(467, 469);
    }

    @Test
    void pop3IsAnnouncedWithImplicitTlsOnly() throws Exception {
        ClientSetup setup = ClientSetup.fromListeners("h", null, null, xml("<pop3servers>"
            + "<pop3server><bind>0.0.0.0:110</bind><tls socketTLS=\"false\" startTLS=\"true\"/></pop3server>"
            + "<pop3server><bind>0.0.0.0:995</bind><tls socketTLS=\"true\" startTLS=\"false\"/></pop3server>"
            + "</pop3servers>"));

        assertThat(setup.of(Protocol.POP3)).containsExactly(new Service(Protocol.POP3, 995, Security.IMPLICIT_TLS));
        assertThat(setup.of(Protocol.IMAP)).isEmpty();
    }

    @Test
    void startTlsListenersWrittenFirstStillComeAfterImplicitTlsOnes() throws Exception {
        ClientSetup setup = imap("<imapservers>"
            + "<imapserver><bind>127.0.0.1:143,[::1]:143</bind><tls socketTLS=\"false\" startTLS=\"true\"/></imapserver>"
            + "<imapserver><bind>127.0.0.1:993</bind><tls socketTLS=\"true\" startTLS=\"false\"/></imapserver>"
            + "</imapservers>");

        assertThat(setup.of(Protocol.IMAP)).containsExactly(
            new Service(Protocol.IMAP, 993, Security.IMPLICIT_TLS), new Service(Protocol.IMAP, 143, Security.STARTTLS));
    }

    private static ClientSetup imap(String xml) throws Exception {
        return ClientSetup.fromListeners("h", xml(xml), null, null);
    }

    private static ClientSetup smtp(String xml) throws Exception {
        return ClientSetup.fromListeners("h", null, xml(xml), null);
    }

    private static HierarchicalConfiguration<ImmutableNode> shipped(String component) {
        try {
            return xml(Files.readString(SHIPPED_CONF.resolve(component + ".xml")));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static XMLConfiguration xml(String xml) throws Exception {
        XMLConfiguration configuration = new XMLConfiguration();
        new FileHandler(configuration).load(new StringReader(xml));
        return configuration;
    }
}
