package org.postino.server.jmap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringReader;
import java.net.URI;
import java.nio.file.Path;
import java.util.Properties;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.Test;
import org.postino.server.config.ConfigurationError;
import org.postino.server.config.StrictProperties;

class JmapSettingsTest {
    private static final Path HOME = Path.of("/opt/postino");
    private static final Path DATA = Path.of("/srv/postino");

    private static JmapSettings parse(String text, UnaryOperator<String> bind) throws Exception {
        Properties properties = new Properties();
        properties.load(new StringReader(text));
        return JmapSettings.from(new StrictProperties("jmap.properties", properties), HOME, DATA, "mail.example.com", bind);
    }

    private static JmapSettings parse(String text) throws Exception {
        return parse(text, UnaryOperator.identity());
    }

    @Test
    void emptyFileMeansHttpsOn443WithTheSelfSignedKeystore() throws Exception {
        JmapSettings settings = parse("");
        assertThat(settings.enabled()).isTrue();
        assertThat(settings.host()).isEqualTo("0.0.0.0");
        assertThat(settings.port()).isEqualTo(443);
        assertThat(settings.keystore()).isEqualTo(DATA.resolve("tls/selfsigned.p12"));
        assertThat(settings.keystoreType()).isEqualTo("PKCS12");
        assertThat(settings.urlPrefix()).isEqualTo(URI.create("https://mail.example.com"));
        assertThat(settings.websocketPrefix()).isEqualTo(URI.create("wss://mail.example.com"));
        assertThat(settings.maxUploadBytes()).isEqualTo(30L << 20);
        assertThat(settings.autoconfig()).isTrue();
        assertThat(settings.autoconfigPerMinute()).isEqualTo(30);
    }

    @Test
    void automaticClientSetUpCanBeTurnedOffOrItsRateChanged() throws Exception {
        JmapSettings off = parse("autoconfig.enabled=false\n");
        JmapSettings unlimited = parse("autoconfig.requestsPerMinute=0\n");
        assertThat(off.autoconfig()).isFalse();
        assertThat(unlimited.autoconfig()).isTrue();
        assertThat(unlimited.autoconfigPerMinute()).isZero();
    }

    @Test
    void theAnnouncedAddressCarriesTheEffectivePort() throws Exception {
        // without root, 443 moves to 10443 (privileged.ports=shift): clients must be told so
        JmapSettings settings = parse("", bind -> "127.0.0.1:10443");
        assertThat(settings.host()).isEqualTo("127.0.0.1");
        assertThat(settings.port()).isEqualTo(10443);
        assertThat(settings.urlPrefix()).isEqualTo(URI.create("https://mail.example.com:10443"));
    }

    @Test
    void everyKeyIsRead() throws Exception {
        JmapSettings settings = parse("enabled=true\nbind=127.0.0.1:8443\ntls.keystore=conf/keystore.jks\n"
            + "tls.keystoreType=jks\ntls.secret=changeit\nurl.prefix=https://webmail.example.com/\nupload.max.size=50M\n");
        assertThat(settings.port()).isEqualTo(8443);
        assertThat(settings.keystore()).isEqualTo(HOME.resolve("conf/keystore.jks"));
        assertThat(settings.keystoreType()).isEqualTo("JKS");
        assertThat(settings.secret()).isEqualTo("changeit");
        assertThat(settings.urlPrefix()).isEqualTo(URI.create("https://webmail.example.com"));
        assertThat(settings.maxUploadBytes()).isEqualTo(50L << 20);
    }

    @Test
    void disabledListenerIsNotRewrittenNorChecked() throws Exception {
        JmapSettings settings = parse("enabled=false\n", bind -> {
            throw new AssertionError("a disabled listener binds nothing");
        });
        assertThat(settings.enabled()).isFalse();
    }

    @Test
    void badValuesNameFileKeyAndValue() {
        assertBad("bind=443", "bind = '443'");
        assertBad("bind=0.0.0.0:70000", "bind = '0.0.0.0:70000'");
        assertBad("bind=0.0.0.0:443,127.0.0.1:8443", "bind = '0.0.0.0:443,127.0.0.1:8443'");
        assertBad("tls.keystoreType=PEM", "tls.keystoreType = 'PEM'");
        assertBad("url.prefix=http://mail.example.com", "url.prefix = 'http://mail.example.com'");
        assertBad("url.prefix=https://mail.example.com/webmail", "url.prefix = 'https://mail.example.com/webmail'");
        assertBad("upload.max.size=lots", "upload.max.size = 'lots'");
        assertBad("enabled=yes please", "enabled = 'yes please'");
        assertBad("jmap.port=80", "jmap.port = '80'");
        assertBad("autoconfig.enabled=maybe", "autoconfig.enabled = 'maybe'");
        assertBad("autoconfig.requestsPerMinute=-1", "autoconfig.requestsPerMinute = '-1'");
        assertBad("autoconfig.hostname=mail.example.com", "autoconfig.hostname = 'mail.example.com'");
    }

    private static void assertBad(String line, String expected) {
        assertThatThrownBy(() -> parse(line + "\n"))
            .isInstanceOf(ConfigurationError.class)
            .hasMessageStartingWith("jmap.properties: ")
            .hasMessageContaining(expected);
    }
}
