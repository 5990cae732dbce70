package org.postino.mailets.delivery.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;

import javax.mail.MessagingException;

import org.apache.mailet.base.test.FakeMailetConfig;
import org.junit.jupiter.api.Test;
import org.postino.mailets.delivery.fairness.FairnessSettings;

class EngineSettingsTest {

    @Test
    void fairnessShouldDefaultToPostfixsFigures() throws Exception {
        assertThat(parse(Map.of()).fairness).isEqualTo(FairnessSettings.defaults());
    }

    @Test
    void fairnessParametersShouldBeRead() throws Exception {
        EngineSettings testee = parse(Map.of("destinationConcurrency", "50", "initialDestinationConcurrency", "10",
            "deadDestinationFailures", "3", "deadDestinationBackoff", "2m", "deadDestinationMaxBackoff", "30m"));

        assertThat(testee.fairness).isEqualTo(FairnessSettings.of(50, 10, 3, Duration.ofMinutes(2), Duration.ofMinutes(30)));
    }

    @Test
    void theDefaultStartShouldNotExceedALowerLimit() throws Exception {
        assertThat(parse(Map.of("destinationConcurrency", "2")).fairness.initialDestinationConcurrency()).isEqualTo(2);
    }

    @Test
    void theDefaultCapShouldNotBeShorterThanALongerBackoff() throws Exception {
        assertThat(parse(Map.of("deadDestinationBackoff", "2h")).fairness.deadDestinationMaxBackoff()).isEqualTo(Duration.ofHours(2));
    }

    @Test
    void initShouldReportEveryBadFairnessParameterWithItsValue() {
        assertThatThrownBy(() -> parse(Map.of("destinationConcurrency", "501", "deadDestinationFailures", "0",
            "deadDestinationBackoff", "300", "deadDestinationMaxBackoff", "2d")))
            .isInstanceOf(MessagingException.class)
            .hasMessageContaining("DeliverRemotely: destinationConcurrency = '501': expected a whole number from 1 to 500")
            .hasMessageContaining("deadDestinationFailures = '0': expected a whole number from 1 to 1000")
            .hasMessageContaining("deadDestinationBackoff = '300': expected a duration greater than zero and at most 1d")
            .hasMessageContaining("deadDestinationMaxBackoff = '2d': expected a duration at least 5m and at most 1d");
    }

    @Test
    void aStartAboveTheLimitShouldBeRejected() {
        assertThatThrownBy(() -> parse(Map.of("destinationConcurrency", "10", "initialDestinationConcurrency", "11")))
            .isInstanceOf(MessagingException.class)
            .hasMessageContaining("initialDestinationConcurrency = '11': expected a whole number from 1 to 10");
    }

    @Test
    void aCapShorterThanTheBackoffShouldBeRejected() {
        assertThatThrownBy(() -> parse(Map.of("deadDestinationBackoff", "10m", "deadDestinationMaxBackoff", "5m")))
            .isInstanceOf(MessagingException.class)
            .hasMessageContaining("deadDestinationMaxBackoff = '5m': expected a duration at least 10m");
    }

    @Test
    void aZeroBackoffShouldBeRejected() {
        assertThatThrownBy(() -> parse(Map.of("deadDestinationBackoff", "0s")))
            .isInstanceOf(MessagingException.class)
            .hasMessageContaining("deadDestinationBackoff = '0s'");
    }

    private static EngineSettings parse(Map<String, String> parameters) throws MessagingException {
        FakeMailetConfig.Builder config = FakeMailetConfig.builder().mailetName("DeliverRemotely").setProperty("heloName", "postino.test");
        parameters.forEach(config::setProperty);
        return EngineSettings.from(config.build());
    }
}
