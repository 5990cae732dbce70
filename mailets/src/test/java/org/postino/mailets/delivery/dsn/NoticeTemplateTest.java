package org.postino.mailets.delivery.dsn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringReader;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class NoticeTemplateTest {

    @ParameterizedTest
    @EnumSource(Language.class)
    void everyLanguageShouldHaveACompleteTemplate(Language language) {
        NoticeTemplate testee = NoticeTemplate.of(language);

        assertThat(NoticeTemplate.REQUIRED).allSatisfy(key -> assertThat(testee.text(key)).isNotBlank());
    }

    @Test
    void everyLanguageShouldDescribeTheSameStatuses() {
        Set<String> english = describedStatuses(NoticeTemplate.of(Language.ENGLISH));

        assertThat(describedStatuses(NoticeTemplate.of(Language.ITALIAN))).isEqualTo(english);
    }

    @Test
    void fromShouldNameTheMissingKeys() {
        assertThatThrownBy(() -> NoticeTemplate.from(Language.ENGLISH, "broken", new StringReader("greeting=hi")))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("broken lacks from.name, date.pattern");
    }

    @Test
    void textShouldReplacePlaceholdersAndKeepApostrophes() {
        NoticeTemplate testee = NoticeTemplate.of(Language.ITALIAN);

        assertThat(testee.text("recipient.original", Map.of("original", "a@b"))).isEqualTo("indirizzato in origine a a@b");
        assertThat(testee.text("returned.headers")).isEqualTo("L'intestazione del messaggio è allegata.");
    }

    @Test
    void describeShouldPreferTheDetailThenTheSubjectForFailures() {
        NoticeTemplate testee = NoticeTemplate.of(Language.ENGLISH);

        assertThat(testee.describe(EnhancedStatus.NULL_MX)).contains("the domain does not accept mail (null MX)");
        assertThat(testee.describe(EnhancedStatus.parse("4.1.1"))).contains("the mailbox does not exist");
        assertThat(testee.describe(EnhancedStatus.parse("5.2.99"))).contains("a problem with the mailbox");
        assertThat(testee.describe(EnhancedStatus.parse("5.0.0"))).isEmpty();
        assertThat(testee.describe(EnhancedStatus.parse("2.1.99"))).isEmpty();
        assertThat(testee.describe(EnhancedStatus.parse("5.9.9"))).isEmpty();
    }

    private static Set<String> describedStatuses(NoticeTemplate template) {
        return IntStream.range(0, 8).boxed()
            .flatMap(subject -> IntStream.range(0, 12)
                .mapToObj(detail -> EnhancedStatus.of(5, subject, detail)))
            .filter(status -> template.describe(status).isPresent())
            .map(EnhancedStatus::asString)
            .collect(Collectors.toSet());
    }
}
