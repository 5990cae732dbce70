package org.postino.matchers.bulk;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HeaderValuesTest {

    @Test
    void keywordShouldDropCommentsParametersAndCase() {
        assertThat(HeaderValues.keyword(" Auto-Generated (robot) ; owner-email=x@y.test")).isEqualTo("auto-generated");
    }

    @Test
    void withoutCommentsShouldHandleNestedComments() {
        assertThat(HeaderValues.withoutComments("a (b (c) d) e")).isEqualTo("a  e");
    }

    @Test
    void withoutCommentsShouldHonourQuotedParenthesesInsideComments() {
        assertThat(HeaderValues.withoutComments("bulk (smiley \\) here)")).isEqualTo("bulk ");
    }

    @Test
    void withoutCommentsShouldDropAnUnclosedCommentToTheEnd() {
        assertThat(HeaderValues.withoutComments("list (never closed")).isEqualTo("list ");
    }

    @Test
    void keywordShouldUnfoldFoldedValues() {
        assertThat(HeaderValues.keyword("\r\n\tbulk")).isEqualTo("bulk");
    }
}
