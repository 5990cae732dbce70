package org.postino.mailets.priority;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MailPriorityTest {

    @Test
    void ofShouldRejectValuesOutsideZeroToNine() {
        assertThatThrownBy(() -> MailPriority.of(10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MailPriority.of(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void parseShouldMapNamesToJamesConstants() {
        assertThat(MailPriority.parse("low")).contains(MailPriority.of(0));
        assertThat(MailPriority.parse("normal")).contains(MailPriority.of(5));
        assertThat(MailPriority.parse("high")).contains(MailPriority.of(9));
    }

    @Test
    void parseShouldBeEmptyForAnythingElse() {
        assertThat(MailPriority.parse("urgent")).isEmpty();
        assertThat(MailPriority.parse("12")).isEmpty();
    }

    @Test
    void asAttributeShouldCarryAnInteger() {
        assertThat(MailPriority.of(3).asAttribute().getValue().value()).isEqualTo(3);
    }
}
