package org.postino.server.config;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigPreflightTest {

    @TempDir
    Path conf;

    @Test
    void checkShouldAcceptTheShippedConfiguration() {
        Path shipped = Path.of(System.getProperty("user.dir")).resolveSibling("conf");

        assertThatCode(() -> new ConfigPreflight(shipped).check()).doesNotThrowAnyException();
    }

    @Test
    void checkShouldNameFileAndPositionOfMalformedXml() throws IOException {
        Files.writeString(conf.resolve("domainlist.xml"), "<domainlist>\n  <autodetect>false</autodetect>\n");

        assertThatThrownBy(() -> new ConfigPreflight(conf).check())
            .isInstanceOf(ConfigurationError.class)
            .hasMessageStartingWith("domainlist.xml: line 3")
            .hasMessageContaining("malformed XML");
    }

    @Test
    void checkShouldNameTheListenerWhosePortIsOutOfRange() throws IOException {
        Files.writeString(conf.resolve("pop3server.xml"),
            "<pop3servers><pop3server enabled=\"true\"><jmxName>pop3</jmxName><bind>0.0.0.0:0</bind></pop3server></pop3servers>");

        assertThatThrownBy(() -> new ConfigPreflight(conf).check())
            .hasMessage("pop3server.xml: pop3server[pop3]/bind = '0.0.0.0:0': port 0 out of range, expected 1..65535");
    }

    @Test
    void checkShouldRejectABindWithoutPort() throws IOException {
        Files.writeString(conf.resolve("smtpserver.xml"),
            "<smtpservers><smtpserver><bind>0.0.0.0</bind></smtpserver></smtpservers>");

        assertThatThrownBy(() -> new ConfigPreflight(conf).check())
            .hasMessage("smtpserver.xml: smtpserver[1]/bind = '0.0.0.0': expected host:port, such as 0.0.0.0:25");
    }

    @Test
    void checkShouldRejectNonBooleanEnabled() throws IOException {
        Files.writeString(conf.resolve("lmtpserver.xml"),
            "<lmtpservers><lmtpserver enabled=\"yes please\"><bind>127.0.0.1:24</bind></lmtpserver></lmtpservers>");

        assertThatThrownBy(() -> new ConfigPreflight(conf).check())
            .hasMessage("lmtpserver.xml: lmtpserver[1]@enabled = 'yes please': unknown value, expected true or false");
    }

    @Test
    void checkShouldRejectNegativeConnectionLimit() throws IOException {
        Files.writeString(conf.resolve("imapserver.xml"),
            "<imapservers><imapserver><bind>0.0.0.0:143</bind><connectionLimit>-1</connectionLimit></imapserver></imapservers>");

        assertThatThrownBy(() -> new ConfigPreflight(conf).check())
            .hasMessage("imapserver.xml: imapserver[1]/connectionLimit = '-1': out of range, expected 0 or more");
    }

    @Test
    void checkShouldRejectAnSmtpLineLengthOutOfRange() throws IOException {
        Files.writeString(conf.resolve("smtpserver.xml"),
            "<smtpservers><smtpserver><jmxName>smtp</jmxName><bind>0.0.0.0:25</bind><maxLineLength>100</maxLineLength></smtpserver></smtpservers>");

        assertThatThrownBy(() -> new ConfigPreflight(conf).check())
            .hasMessageStartingWith("smtpserver.xml: smtpserver[smtp]/maxLineLength = '100': expected a line length in octets from 998 to 64M");
    }

    @Test
    void checkShouldRejectWebAdminPortOutOfRange() throws IOException {
        Files.writeString(conf.resolve("webadmin.properties"), "enabled=true\nport=99999\n");

        assertThatThrownBy(() -> new ConfigPreflight(conf).check())
            .hasMessage("webadmin.properties: port = '99999': out of range, expected 0..65535");
    }
}
