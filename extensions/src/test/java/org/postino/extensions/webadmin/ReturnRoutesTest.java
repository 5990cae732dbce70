package org.postino.extensions.webadmin;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.postino.extensions.webadmin.OutgoingQueueFixture.deferred;
import static org.postino.extensions.webadmin.OutgoingQueueFixture.find;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumSet;

import javax.mail.internet.MimeMessage;

import org.apache.james.core.MailAddress;
import org.apache.mailet.DsnParameters;
import org.apache.mailet.Mail;
import org.apache.mailet.base.test.FakeMailContext;
import org.eclipse.jetty.http.HttpStatus;
import org.junit.jupiter.api.Test;

/** {@code POST /postino/outgoing/return}: the mail leaves the queue and its sender gets a "failed" notice. */
class ReturnRoutesTest extends OutgoingQueueRoutesHarness {

    @Test
    void returnShouldRemoveTheMailAndSendItsSenderAFailedNotice() throws Exception {
        fillQueue();

        given().queryParam("name", "mail-old")
            .when().post("/return")
            .then()
            .statusCode(HttpStatus.OK_200)
            .body("name", equalTo("mail-old"))
            .body("removed", equalTo(1))
            .body("noticesSent", equalTo(1));

        assertThat(find(outgoing(), "mail-old")).isEmpty();
        assertThat(mailetContext.getSentMails()).hasSize(1);
        FakeMailContext.SentMail notice = mailetContext.getSentMails().get(0);
        assertThat(notice.getSender()).isNull();
        assertThat(notice.getRecipients()).containsExactly(new MailAddress("alice@postino.test"));
        String text = asString(notice.getMsg());
        assertThat(text)
            .contains("Content-Type: message/delivery-status")
            .contains("Reporting-MTA: dns; mx.postino.test")
            .contains("Final-Recipient: rfc822; bob@example.com")
            .contains("Final-Recipient: rfc822; carol@example.com")
            .contains("Action: failed")
            .contains("Status: 5.4.7");
    }

    @Test
    void returnOfAMailFromTheNullSenderShouldRemoveItWithoutNotice() throws Exception {
        fillQueue();

        given().queryParam("name", "mail-bounce")
            .when().post("/return")
            .then()
            .statusCode(HttpStatus.OK_200)
            .body("removed", equalTo(1))
            .body("noticesSent", equalTo(0));

        assertThat(find(outgoing(), "mail-bounce")).isEmpty();
        assertThat(mailetContext.getSentMails()).isEmpty();
    }

    @Test
    void returnShouldHonourNotifyNever() throws Exception {
        Mail mail = deferred("mail-quiet", "alice@postino.test", Duration.ofHours(2), 3, "4.4.1", TWENTY_MINUTES,
            "bob@example.com");
        MailAddress bob = new MailAddress("bob@example.com");
        mail.setDsnParameters(DsnParameters.builder()
            .addRcptParameter(bob, DsnParameters.RecipientDsnParameters.of(
                EnumSet.of(DsnParameters.Notify.NEVER)))
            .build().orElseThrow());
        outgoing().enQueue(mail, TWENTY_MINUTES);

        given().queryParam("name", "mail-quiet")
            .when().post("/return")
            .then()
            .statusCode(HttpStatus.OK_200)
            .body("removed", equalTo(1))
            .body("noticesSent", equalTo(0));

        assertThat(mailetContext.getSentMails()).isEmpty();
    }

    @Test
    void returnShouldRequireAName() {
        given().queryParam("domain", "example.com")
            .when().post("/return")
            .then()
            .statusCode(HttpStatus.BAD_REQUEST_400)
            .body("type", equalTo("InvalidArgument"));
    }

    @Test
    void returnOfAnUnknownNameShouldBeNotFoundAndSendNothing() throws Exception {
        fillQueue();

        given().queryParam("name", "mail-unknown")
            .when().post("/return")
            .then()
            .statusCode(HttpStatus.NOT_FOUND_404);

        assertThat(mailetContext.getSentMails()).isEmpty();
        assertThat(outgoing().getSize()).isEqualTo(3);
    }

    private static String asString(MimeMessage message) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        message.writeTo(out);
        return out.toString(StandardCharsets.UTF_8);
    }
}
