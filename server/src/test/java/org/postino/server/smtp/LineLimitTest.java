package org.postino.server.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class LineLimitTest {

    @ParameterizedTest
    @CsvSource({"'', 524288", "998, 998", "4096, 4096", "512K, 524288", "512k, 524288", "2M, 2097152", "64M, 67108864",
        "' 100 K ', 102400"})
    void parsesOctetsKibibytesAndMebibytes(String value, int octets) {
        assertThat(LineLimit.parse(value)).isEqualTo(octets);
    }

    @ParameterizedTest
    @ValueSource(strings = {"997", "0", "65M", "1G", "-5", "lots", "512KB", "1.5M"})
    void refusesValuesOutOfRangeOrMalformed(String value) {
        assertThatThrownBy(() -> LineLimit.parse(value))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("from 998 to 64M");
    }
}
