package org.postino.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class DurationsTest {

    @Test
    void parseShouldReadDurationsAsPeopleWriteThem() {
        assertThat(Durations.parse("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(Durations.parse("30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(Durations.parse("5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(Durations.parse("4h")).isEqualTo(Duration.ofHours(4));
        assertThat(Durations.parse(" 5d ")).isEqualTo(Duration.ofDays(5));
        assertThat(Durations.parse("2w")).isEqualTo(Duration.ofDays(14));
    }

    @Test
    void parseShouldRejectMissingUnitAndUnknownUnits() {
        assertThatThrownBy(() -> Durations.parse("30")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Durations.parse("3 fortnights")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Durations.parse("-5m")).isInstanceOf(IllegalArgumentException.class);
    }
}
