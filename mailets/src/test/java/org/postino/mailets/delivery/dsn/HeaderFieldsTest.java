package org.postino.mailets.delivery.dsn;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Arrays;

import org.junit.jupiter.api.Test;

class HeaderFieldsTest {

    @Test
    void fieldShouldStayOnOneLineWhenShort() {
        assertThat(HeaderFields.field("Status", "5.1.1")).isEqualTo("Status: 5.1.1\r\n");
    }

    @Test
    void fieldShouldFoldBeforeASpaceToKeepLinesWithin78() {
        String value = "smtp; " + "word ".repeat(40).strip();

        String field = HeaderFields.field("Diagnostic-Code", value);

        assertThat(field).endsWith("\r\n");
        assertThat(lines(field)).allSatisfy(line -> assertThat(line.length()).isLessThanOrEqualTo(78));
        assertThat(Arrays.copyOfRange(lines(field), 1, lines(field).length)).allSatisfy(line -> assertThat(line).startsWith(" "));
        assertThat(unfold(field)).isEqualTo("Diagnostic-Code: " + value);
    }

    @Test
    void fieldShouldCutAWordLongerThan998() {
        String field = HeaderFields.field("Diagnostic-Code", "smtp; " + "x".repeat(2500));

        assertThat(lines(field)).allSatisfy(line -> assertThat(line.length()).isLessThanOrEqualTo(998));
        assertThat(unfold(field).replace(" ", "")).isEqualTo("Diagnostic-Code:smtp;" + "x".repeat(2500));
    }

    @Test
    void printableShouldJoinLinesAndReplaceWhatIsNotPrintableAscii() {
        assertThat(HeaderFields.printable(" 550-5.7.1 first\r\n550 5.7.1  più\tlater 😀 "))
            .isEqualTo("550-5.7.1 first 550 5.7.1 pi? later ?");
    }

    @Test
    void dateShouldBeRfc5322WithANumericZone() {
        Instant instant = Instant.parse("2026-03-07T09:04:05Z");

        assertThat(HeaderFields.date(instant, ZoneOffset.UTC)).isEqualTo("Sat, 7 Mar 2026 09:04:05 +0000");
        assertThat(HeaderFields.date(instant, ZoneId.of("Europe/Rome"))).isEqualTo("Sat, 7 Mar 2026 10:04:05 +0100");
    }

    private static String[] lines(String field) {
        return Arrays.stream(field.split("\r\n")).toArray(String[]::new);
    }

    private static String unfold(String field) {
        return field.replace("\r\n", "").strip();
    }
}
