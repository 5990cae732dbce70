package org.postino.extensions.smtp.priority;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.OptionalLong;
import java.util.Properties;

import org.apache.commons.configuration2.ex.ConfigurationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.postino.matchers.bulk.BulkSignal;

class PolicyReaderTest {

    private static final String FILE = "file://conf/priority.properties";

    @Test
    void anEmptyFileShouldGiveTheDocumentedDefaults() throws Exception {
        PriorityPolicy policy = PriorityPolicy.fromProperties(new Properties(), FILE);

        assertThat(policy.mtPriorityTrust()).isEqualTo(Trust.AUTHENTICATED);
        assertThat(policy.headersTrust()).isEqualTo(Trust.AUTHENTICATED);
        assertThat(policy.levels().defaultLevel().value()).isEqualTo(5);
        assertThat(policy.levels().authenticated().value()).isEqualTo(9);
        assertThat(policy.levels().headersHigh().value()).isEqualTo(9);
        assertThat(policy.levels().headersLow().value()).isEqualTo(0);
        assertThat(policy.levels().bulk().value()).isEqualTo(0);
        assertThat(policy.levels().large().value()).isEqualTo(0);
        assertThat(policy.levels().notice().value()).isEqualTo(0);
        assertThat(policy.largeThreshold()).isEqualTo(OptionalLong.of(10L * 1024 * 1024));
        assertThat(policy.bulk().signals()).containsExactlyInAnyOrder(BulkSignal.values());
    }

    @Test
    void theShippedFileShouldParseToTheDefaults() throws Exception {
        Properties shipped = new Properties();
        try (var reader = java.nio.file.Files.newBufferedReader(java.nio.file.Path.of("../conf/priority.properties"))) {
            shipped.load(reader);
        }

        assertThat(PriorityPolicy.fromProperties(shipped, FILE).toString())
            .isEqualTo(PriorityPolicy.defaults().toString());
    }

    @ParameterizedTest
    @CsvSource({"none, NONE", "authenticated, AUTHENTICATED", "Relay, RELAY", " all , ALL"})
    void trustShouldReadEveryValue(String value, Trust expected) throws Exception {
        assertThat(read("mtPriority.trust", value).mtPriorityTrust()).isEqualTo(expected);
        assertThat(read("headers.trust", value).headersTrust()).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({"low, 0", "normal, 5", "HIGH, 9", "0, 0", "7, 7", "9, 9"})
    void levelsShouldReadNamesAndNumbers(String value, int expected) throws Exception {
        assertThat(read("level.bulk", value).levels().bulk().value()).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({"1, 1", "512K, 524288", "10M, 10485760", "1g, 1073741824", "2 MB, 2097152"})
    void largeThresholdShouldReadSizes(String value, long expected) throws Exception {
        assertThat(read("large.threshold", value).largeThreshold()).isEqualTo(OptionalLong.of(expected));
    }

    @Test
    void largeThresholdShouldAcceptUnlimited() throws Exception {
        assertThat(read("large.threshold", "unlimited").largeThreshold()).isEmpty();
    }

    @ParameterizedTest
    @CsvSource({
        "mtPriority.trust, everyone",
        "headers.trust, yes",
        "level.default, 10",
        "level.authenticated, -1",
        "level.headersHigh, urgent",
        "level.headersLow, ''",
        "level.bulk, 5.5",
        "level.large, lowest",
        "level.notice, 99",
        "large.threshold, 0",
        "large.threshold, ten megabytes",
        "large.threshold, 10T",
        "large.threshold, 999999999999999999G",
        "bulk.signals, 'precedence,newsletter'",
        "bulk.signals, ''",
    })
    void badValuesShouldFailNamingTheFileTheKeyAndTheValue(String key, String value) {
        assertThatThrownBy(() -> read(key, value))
            .isInstanceOf(ConfigurationException.class)
            .hasMessageStartingWith(FILE + ": ")
            .hasMessageContaining(key + " = '" + value + "'");
    }

    @Test
    void unknownKeysShouldBeRejected() {
        assertThatThrownBy(() -> read("level.urgent", "9"))
            .isInstanceOf(ConfigurationException.class)
            .hasMessageContaining("level.urgent = '9': unknown key");
    }

    @Test
    void everyProblemShouldBeReportedAtOnce() {
        Properties properties = new Properties();
        properties.setProperty("mtPriority.trust", "everyone");
        properties.setProperty("level.bulk", "11");
        properties.setProperty("size.limit", "1M");

        assertThatThrownBy(() -> PriorityPolicy.fromProperties(properties, FILE))
            .isInstanceOf(ConfigurationException.class)
            .hasMessageContaining("mtPriority.trust = 'everyone'")
            .hasMessageContaining("level.bulk = '11'")
            .hasMessageContaining("size.limit = '1M'");
    }

    private static PriorityPolicy read(String key, String value) throws ConfigurationException {
        Properties properties = new Properties();
        properties.setProperty(key, value);
        return PriorityPolicy.fromProperties(properties, FILE);
    }
}
