package org.postino.mailets.delivery.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

    @Test
    void parseShouldReadEveryUnit() {
        assertThat(Durations.parse("250ms")).contains(Duration.ofMillis(250));
        assertThat(Durations.parse("30s")).contains(Duration.ofSeconds(30));
        assertThat(Durations.parse("5m")).contains(Duration.ofMinutes(5));
        assertThat(Durations.parse("4h")).contains(Duration.ofHours(4));
        assertThat(Durations.parse("1d")).contains(Duration.ofDays(1));
        assertThat(Durations.parse("2w")).contains(Duration.ofDays(14));
    }

    @Test
    void parseShouldIgnoreCaseAndSpaces() {
        assertThat(Durations.parse("4H")).contains(Duration.ofHours(4));
        assertThat(Durations.parse("250 MS")).contains(Duration.ofMillis(250));
        assertThat(Durations.parse("  5 m ")).contains(Duration.ofMinutes(5));
    }

    @Test
    void parseShouldReadZeroSoThatTheCallerCanSayWhyItIsNotAllowed() {
        assertThat(Durations.parse("0s")).contains(Duration.ZERO);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "5", "m", "5x", "5 minutes", "-5m", "1.5h", "5m5s", "5 m s", "PT5M",
        "99999999999999999w", "1234567890123456789ms"})
    void parseShouldBeEmptyForAnythingElse(String text) {
        assertThat(Durations.parse(text)).isEmpty();
    }

    @Test
    void parseListShouldReadCommaSeparatedDurations() {
        assertThat(Durations.parseList("5m, 10m,20m , 1h"))
            .contains(List.of(Duration.ofMinutes(5), Duration.ofMinutes(10), Duration.ofMinutes(20), Duration.ofHours(1)));
    }

    @Test
    void parseListShouldReadASingleDuration() {
        assertThat(Durations.parseList("4h")).contains(List.of(Duration.ofHours(4)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "5m,", ",5m", "5m,,10m", "5m, x", "5m; 10m", "4h..."})
    void parseListShouldBeEmptyWhenAnyElementIsNotADuration(String text) {
        assertThat(Durations.parseList(text)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"5m, 10m, 1h...", "5m, 10m, 1h ...", "5m, 10m, 1h, ...", "5m, 10m, 1h…", "5m, 10m, 1h"})
    void parseScheduleShouldReadTheSameStepsWithOrWithoutTheRepeatMark(String text) {
        assertThat(Durations.parseSchedule(text))
            .contains(List.of(Duration.ofMinutes(5), Duration.ofMinutes(10), Duration.ofHours(1)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"...", "", "5m..., 10m", "5m, ..., 10m", "5m...."})
    void parseScheduleShouldRejectARepeatMarkWithoutStepsOrNotAtTheEnd(String text) {
        assertThat(Durations.parseSchedule(text)).isEmpty();
    }

    @Test
    void formatShouldUseTheLargestExactUnit() {
        assertThat(Durations.format(Duration.ofDays(14))).isEqualTo("2w");
        assertThat(Durations.format(Duration.ofDays(5))).isEqualTo("5d");
        assertThat(Durations.format(Duration.ofMinutes(90))).isEqualTo("90m");
        assertThat(Durations.format(Duration.ofSeconds(30))).isEqualTo("30s");
        assertThat(Durations.format(Duration.ofMillis(1500))).isEqualTo("1500ms");
        assertThat(Durations.format(Duration.ZERO)).isEqualTo("0s");
    }

    @Test
    void formatShouldBeReadBackByParseList() {
        List<Duration> durations = List.of(Duration.ofMillis(250), Duration.ofMinutes(90), Duration.ofDays(3));

        assertThat(Durations.parseList(Durations.format(durations))).contains(durations);
    }
}
