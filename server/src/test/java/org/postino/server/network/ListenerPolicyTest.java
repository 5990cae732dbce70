package org.postino.server.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringReader;
import java.nio.file.Path;
import java.util.Properties;

import org.apache.commons.configuration2.XMLConfiguration;
import org.apache.commons.configuration2.io.FileHandler;
import org.apache.james.server.core.configuration.ConfigurationProvider;
import org.junit.jupiter.api.Test;
import org.postino.server.config.PostinoSettings;
import org.postino.server.config.StrictProperties;

class ListenerPolicyTest {

    private static final String SMTP = "<smtpservers>"
        + "<smtpserver><jmxName>smtp</jmxName><bind>0.0.0.0:25</bind></smtpserver>"
        + "<smtpserver><jmxName>submission</jmxName><bind>0.0.0.0:587</bind></smtpserver>"
        + "<smtpserver><jmxName>alt</jmxName><bind>0.0.0.0:2525</bind></smtpserver>"
        + "</smtpservers>";

    @Test
    void privilegedPortsShouldBeShiftedWhenTheyCannotBeBound() throws Exception {
        ListenerPolicy testee = new ListenerPolicy(files(SMTP), settings(), false);

        var configuration = testee.getConfiguration("smtpserver");

        assertThat(configuration.getString("smtpserver(0).bind")).isEqualTo("0.0.0.0:10025");
        assertThat(configuration.getString("smtpserver(1).bind")).isEqualTo("0.0.0.0:10587");
        assertThat(configuration.getString("smtpserver(2).bind")).isEqualTo("0.0.0.0:2525");
    }

    @Test
    void portsShouldStayAsWrittenWhenTheProcessMayBindThem() throws Exception {
        ListenerPolicy testee = new ListenerPolicy(files(SMTP), settings(), true);

        assertThat(testee.getConfiguration("smtpserver").getString("smtpserver(0).bind")).isEqualTo("0.0.0.0:25");
    }

    @Test
    void listenAddressShouldReplaceEveryHost() throws Exception {
        ListenerPolicy testee = new ListenerPolicy(files(SMTP), settings("listen.address", "127.0.0.1"), true);

        var configuration = testee.getConfiguration("smtpserver");

        assertThat(configuration.getString("smtpserver(0).bind")).isEqualTo("127.0.0.1:25");
        assertThat(configuration.getString("smtpserver(2).bind")).isEqualTo("127.0.0.1:2525");
    }

    @Test
    void listenAddressShouldNotMoveAListenerBoundToASpecificAddress() throws Exception {
        ListenerPolicy testee = new ListenerPolicy(files("<lmtpservers><lmtpserver><bind>127.0.0.1:24</bind></lmtpserver></lmtpservers>"),
            settings("listen.address", "192.0.2.10"), true);

        assertThat(testee.getConfiguration("lmtpserver").getString("lmtpserver(0).bind")).isEqualTo("127.0.0.1:24");
    }

    @Test
    void anAddressAlreadyInUseShouldStopStartUpNamingTheListener() {
        ListenerPolicy testee = new ListenerPolicy(files(SMTP), settings("listen.address", "127.0.0.1"), true,
            (host, port) -> port == 587);

        assertThatThrownBy(() -> testee.getConfiguration("smtpserver"))
            .hasMessage("smtpserver.xml: smtpserver[submission]/bind = '127.0.0.1:587': address already in use by another process");
    }

    @Test
    void effectiveConfigurationShouldRewriteBindsWithoutCheckingThemWhileTheServerHoldsThem() throws Exception {
        ListenerPolicy testee = new ListenerPolicy(files(SMTP), settings("listen.address", "127.0.0.1"), false,
            (host, port) -> true);

        var configuration = testee.effectiveConfiguration("smtpserver");

        assertThat(configuration.getString("smtpserver(0).bind")).isEqualTo("127.0.0.1:10025");
        assertThat(configuration.getString("smtpserver(1).bind")).isEqualTo("127.0.0.1:10587");
        assertThat(configuration.getString("smtpserver(2).bind")).isEqualTo("127.0.0.1:2525");
    }

    @Test
    void addressInUseShouldTellAHeldPortFromAFreeOne() throws Exception {
        try (java.net.ServerSocket held = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            assertThat(ListenerPolicy.addressInUse("127.0.0.1", held.getLocalPort())).isTrue();
        }
    }

    @Test
    void failPolicyShouldStopWithTheFileAndTheBind() {
        ListenerPolicy testee = new ListenerPolicy(files(SMTP), settings("privileged.ports", "fail"), false);

        assertThatThrownBy(() -> testee.getConfiguration("smtpserver"))
            .hasMessageStartingWith("smtpserver.xml: bind = '0.0.0.0:25'");
    }

    @Test
    void otherFilesShouldBeUntouched() throws Exception {
        ListenerPolicy testee = new ListenerPolicy(files("<domainlist><defaultDomain>localhost</defaultDomain></domainlist>"),
            settings("listen.address", "127.0.0.1"), false);

        assertThat(testee.getConfiguration("domainlist").getString("defaultDomain")).isEqualTo("localhost");
    }

    private static ConfigurationProvider files(String xml) {
        return (component, loggingLevel) -> {
            XMLConfiguration configuration = new XMLConfiguration();
            new FileHandler(configuration).load(new StringReader(xml));
            return configuration;
        };
    }

    private static PostinoSettings settings(String... keyValues) {
        Properties properties = new Properties();
        for (int i = 0; i < keyValues.length; i += 2) {
            properties.setProperty(keyValues[i], keyValues[i + 1]);
        }
        return PostinoSettings.from(new StrictProperties("postino.properties", properties), Path.of("/tmp"));
    }
}
