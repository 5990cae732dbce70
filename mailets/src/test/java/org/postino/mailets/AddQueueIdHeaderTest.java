package org.postino.mailets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import javax.mail.MessagingException;

import org.apache.james.core.builder.MimeMessageBuilder;
import org.apache.mailet.Mail;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postino.mailets.once.QueueRedelivery;

class AddQueueIdHeaderTest {

    private AddQueueIdHeader testee;

    @BeforeEach
    void setUp() throws Exception {
        testee = new AddQueueIdHeader();
        testee.init(FakeMailetConfig.builder().mailetName("AddQueueIdHeader").build());
    }

    @Test
    void serviceShouldWriteTheMailNameIntoTheHeader() throws Exception {
        Mail mail = mail(null);

        testee.service(mail);

        assertThat(mail.getMessage().getHeader(QueueRedelivery.HEADER)).containsExactly("Mail123-abc");
    }

    @Test
    void serviceShouldReplaceAHeaderForgedByTheSender() throws Exception {
        Mail mail = mail("Mail999-forged");

        testee.service(mail);

        assertThat(mail.getMessage().getHeader(QueueRedelivery.HEADER)).containsExactly("Mail123-abc");
    }

    @Test
    void initShouldRejectParameters() {
        assertThatThrownBy(() -> testee.init(FakeMailetConfig.builder().mailetName("AddQueueIdHeader")
            .setProperty("header", "X-Id").build()))
            .isInstanceOf(MessagingException.class)
            .hasMessageContaining("'header'");
    }

    private static Mail mail(String existingHeader) throws Exception {
        MimeMessageBuilder message = MimeMessageBuilder.mimeMessageBuilder().setSubject("s").setText("t");
        if (existingHeader != null) {
            message.addHeader(QueueRedelivery.HEADER, existingHeader);
        }
        return FakeMail.builder().name("Mail123-abc").recipient("alice@example.com").mimeMessage(message).build();
    }
}
