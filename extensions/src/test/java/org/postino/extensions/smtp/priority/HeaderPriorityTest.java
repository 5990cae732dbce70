package org.postino.extensions.smtp.priority;

import static org.assertj.core.api.Assertions.assertThat;

import javax.mail.internet.MimeMessage;

import org.apache.james.core.builder.MimeMessageBuilder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class HeaderPriorityTest {

    @ParameterizedTest
    @CsvSource({
        "X-Priority, 1, HIGH",
        "X-Priority, 2, HIGH",
        "X-Priority, 1 (Highest), HIGH",
        "X-Priority, 3, NONE",
        "X-Priority, 3 (Normal), NONE",
        "X-Priority, 4, LOW",
        "X-Priority, 5 (Lowest), LOW",
        "X-Priority, 10, NONE",
        "X-Priority, urgent, NONE",
        "Importance, high, HIGH",
        "Importance, HIGH, HIGH",
        "Importance, normal, NONE",
        "Importance, low, LOW",
        "Importance, (set by Outlook) low, LOW",
        "Priority, urgent, HIGH",
        "Priority, Urgent, HIGH",
        "Priority, normal, NONE",
        "Priority, non-urgent, LOW",
    })
    void ofShouldReadEachHeader(String name, String value, HeaderPriority expected) throws Exception {
        assertThat(HeaderPriority.of(message(name, value))).isEqualTo(expected);
    }

    @Test
    void ofShouldBeNoneWithoutPriorityHeaders() throws Exception {
        assertThat(HeaderPriority.of(message("Subject", "hello"))).isEqualTo(HeaderPriority.NONE);
    }

    @Test
    void lowShouldWinWhenHeadersDisagree() throws Exception {
        MimeMessage message = MimeMessageBuilder.mimeMessageBuilder()
            .addHeader("X-Priority", "1")
            .addHeader("Importance", "high")
            .addHeader("Priority", "non-urgent")
            .setText("body")
            .build();

        assertThat(HeaderPriority.of(message)).isEqualTo(HeaderPriority.LOW);
    }

    @Test
    void lowShouldWinOverAHighDuplicateOfTheSameHeader() throws Exception {
        MimeMessage message = MimeMessageBuilder.mimeMessageBuilder()
            .addHeader("X-Priority", "1")
            .addHeader("X-Priority", "5")
            .setText("body")
            .build();

        assertThat(HeaderPriority.of(message)).isEqualTo(HeaderPriority.LOW);
    }

    private static MimeMessage message(String name, String value) throws Exception {
        return MimeMessageBuilder.mimeMessageBuilder().addHeader(name, value).setText("body").build();
    }
}
