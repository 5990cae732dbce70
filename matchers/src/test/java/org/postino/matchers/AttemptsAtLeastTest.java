package org.postino.matchers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMatcherConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.postino.mailets.delivery.engine.DeliveryState;

class AttemptsAtLeastTest {

    private static final MailAddress BOB = address("bob@example.com");

    private static MailAddress address(String text) {
        try {
            return new MailAddress(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static AttemptsAtLeast matcher(String condition) throws MessagingException {
        AttemptsAtLeast matcher = new AttemptsAtLeast();
        matcher.init(FakeMatcherConfig.builder().matcherName("AttemptsAtLeast").condition(condition).build());
        return matcher;
    }

    private static FakeMail mail(Attribute... attributes) throws MessagingException {
        FakeMail.Builder builder = FakeMail.builder().name("m").recipient(BOB);
        for (Attribute attribute : attributes) {
            builder.attribute(attribute);
        }
        return builder.build();
    }

    @Test
    void shouldCountTheAttemptsOfPostinosEngine() throws Exception {
        AttemptsAtLeast testee = matcher("3");

        assertThat(testee.match(mail(new Attribute(DeliveryState.ATTEMPTS, AttributeValue.of(2L))))).isEmpty();
        assertThat(testee.match(mail(new Attribute(DeliveryState.ATTEMPTS, AttributeValue.of(3L))))).containsExactly(BOB);
    }

    @Test
    void shouldCountTheRetriesOfJamesRemoteDelivery() throws Exception {
        AttemptsAtLeast testee = matcher("3");

        assertThat(testee.match(mail(new Attribute(AttemptsAtLeast.JAMES_RETRY_COUNT, AttributeValue.of(2))))).isEmpty();
        assertThat(testee.match(mail(new Attribute(AttemptsAtLeast.JAMES_RETRY_COUNT, AttributeValue.of(4))))).containsExactly(BOB);
    }

    @Test
    void mailWithoutAttemptsShouldNotMatch() throws Exception {
        assertThat(matcher("1").match(mail())).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "0", "-1", "1001", "three", "2.5"})
    void shouldRefuseAConditionThatIsNotANumberOfAttempts(String condition) {
        assertThatThrownBy(() -> matcher(condition))
            .isInstanceOf(MessagingException.class)
            .hasMessageStartingWith("AttemptsAtLeast=" + condition + ": expected a whole number");
    }
}
