package org.postino.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Properties;

import org.junit.jupiter.api.Test;

class PostinoSettingsTest {

    private static final Path HOME = Path.of("/opt/postino");

    @Test
    void fromShouldApplyDocumentedDefaultsWhenFileIsEmpty() {
        PostinoSettings testee = PostinoSettings.from(properties(), HOME);

        assertThat(testee.dataDirectory()).isEqualTo(Path.of("/opt/postino/var"));
        assertThat(testee.listenAddress()).isEmpty();
        assertThat(testee.privilegedPorts()).isEqualTo(PostinoSettings.PrivilegedPorts.SHIFT);
        assertThat(testee.privilegedShift()).isEqualTo(10000);
        assertThat(testee.selfSignedTls()).isTrue();
        assertThat(testee.pauseBelowFreeSpace()).isEqualTo(64L << 20);
    }

    @Test
    void fromShouldReadTheQueuePauseThresholdAsASize() {
        assertThat(PostinoSettings.from(properties("queue.pauseBelowFreeSpace", "1G"), HOME).pauseBelowFreeSpace())
            .isEqualTo(1L << 30);
        assertThatThrownBy(() -> PostinoSettings.from(properties("queue.pauseBelowFreeSpace", "512K"), HOME))
            .hasMessage("postino.properties: queue.pauseBelowFreeSpace = '512K': expected a size of at least 1M, such as 64M or 1G");
        assertThatThrownBy(() -> PostinoSettings.from(properties("queue.pauseBelowFreeSpace", "lots"), HOME))
            .hasMessage("postino.properties: queue.pauseBelowFreeSpace = 'lots': expected a size of at least 1M, such as 64M or 1G");
    }

    @Test
    void fromShouldResolveRelativeDataDirectoryAgainstHomeAndKeepAbsoluteOnes() {
        assertThat(PostinoSettings.from(properties("data.dir", "state"), HOME).dataDirectory())
            .isEqualTo(Path.of("/opt/postino/state"));
        assertThat(PostinoSettings.from(properties("data.dir", "/var/lib/postino"), HOME).dataDirectory())
            .isEqualTo(Path.of("/var/lib/postino"));
    }

    @Test
    void fromShouldThrowNamingFileKeyAndValueOnUnknownPolicy() {
        assertThatThrownBy(() -> PostinoSettings.from(properties("privileged.ports", "sometimes"), HOME))
            .isInstanceOf(ConfigurationError.class)
            .hasMessage("postino.properties: privileged.ports = 'sometimes': unknown value, expected one of shift, fail");
    }

    @Test
    void fromShouldThrowOnOutOfRangeShift() {
        assertThatThrownBy(() -> PostinoSettings.from(properties("privileged.ports.shift", "65000"), HOME))
            .hasMessage("postino.properties: privileged.ports.shift = '65000': out of range, expected 1..64000");
    }

    @Test
    void fromShouldThrowOnNonBooleanSelfSigned() {
        assertThatThrownBy(() -> PostinoSettings.from(properties("tls.selfsigned", "maybe"), HOME))
            .hasMessage("postino.properties: tls.selfsigned = 'maybe': expected true or false");
    }

    @Test
    void fromShouldRejectUnknownKeys() {
        assertThatThrownBy(() -> PostinoSettings.from(properties("data.directory", "x"), HOME))
            .hasMessage("postino.properties: data.directory = 'x': unknown key");
    }

    @Test
    void fromShouldRejectSeveralListenAddresses() {
        assertThatThrownBy(() -> PostinoSettings.from(properties("listen.address", "127.0.0.1,::1"), HOME))
            .hasMessageContaining("listen.address = '127.0.0.1,::1'");
    }

    static StrictProperties properties(String... keyValues) {
        Properties properties = new Properties();
        for (int i = 0; i < keyValues.length; i += 2) {
            properties.setProperty(keyValues[i], keyValues[i + 1]);
        }
        return new StrictProperties("postino.properties", properties);
    }
}
