package org.postino.extensions.smtp.priority;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

class MtPriorityTest {

    @ParameterizedTest
    @ValueSource(strings = {"-9", "-1", "0", "5", "9", "+3", "-0"})
    void parseShouldAcceptAnOptionalSignAndOneDigit(String value) {
        assertThat(MtPriority.parse(value)).map(MtPriority::value).contains(Integer.parseInt(value));
    }

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = {"", "10", "-10", "99", "x", "1.5", " 1", "1 ", "--1", "+", "high"})
    void parseShouldRejectAnythingElse(String value) {
        assertThat(MtPriority.parse(value)).isEmpty();
    }

    @Test
    void toMailPriorityShouldFollowTheDocumentedTable() {
        int[] expected = {0, 0, 1, 1, 2, 2, 3, 3, 4, 5, 6, 6, 7, 7, 8, 8, 9, 9, 9};

        assertThat(IntStream.rangeClosed(-9, 9).map(value -> MtPriority.of(value).toMailPriority().value()).toArray())
            .containsExactly(expected);
    }

    @Test
    void toMailPriorityShouldKeepTheSignOfTheRequest() {
        IntStream.rangeClosed(1, 9).forEach(value -> {
            assertThat(MtPriority.of(value).toMailPriority().value()).isGreaterThan(5);
            assertThat(MtPriority.of(-value).toMailPriority().value()).isLessThan(5);
        });
    }

    @Test
    void zeroShouldBeNormal() {
        assertThat(MtPriority.of(0).isNormal()).isTrue();
        assertThat(MtPriority.of(0).toMailPriority().value()).isEqualTo(5);
        assertThat(MtPriority.of(-1).isNormal()).isFalse();
    }
}
