package org.postino.matchers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMatcherConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DestinationDomainIsTest {

    private static DestinationDomainIs matcher(String condition) throws MessagingException {
        DestinationDomainIs matcher = new DestinationDomainIs();
        matcher.init(FakeMatcherConfig.builder().matcherName("DestinationDomainIs").condition(condition).build());
        return matcher;
    }

    @Test
    void shouldMatchExactDomainsAndSubdomainsOfDottedEntriesOnly() throws Exception {
        DestinationDomainIs testee = matcher("partner.example, .corp.example , Other.EXAMPLE.");
        MailAddress exact = new MailAddress("a@partner.example");
        MailAddress subOfExact = new MailAddress("b@mx.partner.example");
        MailAddress sub = new MailAddress("c@eu.corp.example");
        MailAddress parentOfDotted = new MailAddress("d@corp.example");
        MailAddress anyCase = new MailAddress("e@OTHER.example");
        MailAddress lookalike = new MailAddress("f@notcorp.example");

        FakeMail mail = FakeMail.builder().name("m").recipients(exact, subOfExact, sub, parentOfDotted, anyCase, lookalike).build();

        assertThat(testee.match(mail)).containsExactly(exact, sub, anyCase);
    }

    @Test
    void shouldMatchDomainLiteralsWrittenWithoutBrackets() throws Exception {
        MailAddress literal = new MailAddress("a@[192.0.2.1]");

        assertThat(matcher("192.0.2.1").match(FakeMail.builder().name("m").recipient(literal).build())).containsExactly(literal);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "example.com,", "a@example.com", "exa mple.com", ".", "..example.com", "a..b"})
    void shouldRefuseAConditionThatIsNotAListOfDomains(String condition) {
        assertThatThrownBy(() -> matcher(condition))
            .isInstanceOf(MessagingException.class)
            .hasMessageStartingWith("DestinationDomainIs");
    }
}
