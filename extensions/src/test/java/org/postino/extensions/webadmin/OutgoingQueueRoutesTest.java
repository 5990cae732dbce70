package org.postino.extensions.webadmin;

import static io.restassured.RestAssured.given;
import static io.restassured.RestAssured.when;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.postino.extensions.webadmin.OutgoingQueueFixture.NOW;
import static org.postino.extensions.webadmin.OutgoingQueueFixture.browse;
import static org.postino.extensions.webadmin.OutgoingQueueFixture.find;
import static org.postino.extensions.webadmin.OutgoingQueueFixture.fresh;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.eclipse.jetty.http.HttpStatus;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

/** The listing, retry and delete routes; returning to the sender is {@link ReturnRoutesTest}. */
class OutgoingQueueRoutesTest extends OutgoingQueueRoutesHarness {

    @Nested
    class Listing {

        @Test
        void listShouldBeEmptyWhenTheQueueDoesNotExistYet() {
            when().get()
                .then()
                .statusCode(HttpStatus.OK_200)
                .body("queue", equalTo("outgoing"))
                .body("size", equalTo(0))
                .body("destinations.size()", equalTo(0));
        }

        @Test
        void listShouldGroupByDestinationWithTheOldestMailFirst() throws Exception {
            fillQueue();

            String body = when().get()
                .then()
                .statusCode(HttpStatus.OK_200)
                .extract().body().asString();

            ObjectMapper json = new ObjectMapper();
            assertThat(json.readTree(body)).isEqualTo(json.readTree(golden("outgoing-list.json")));
        }

        @Test
        void listShouldFilterByDomain() throws Exception {
            fillQueue();

            given().queryParam("domain", "EXAMPLE.com")
                .when().get()
                .then()
                .statusCode(HttpStatus.OK_200)
                .body("size", equalTo(2))
                .body("destinations.domain", equalTo(List.of("example.com")));
        }

        @Test
        void listShouldRejectAnUnknownParameter() {
            given().queryParam("domian", "example.com")
                .when().get()
                .then()
                .statusCode(HttpStatus.BAD_REQUEST_400)
                .body("statusCode", equalTo(400))
                .body("type", equalTo("InvalidArgument"))
                .body("message", equalTo("Unknown parameter 'domian'; this request takes domain, name"));
        }
    }

    @Nested
    class Retry {

        @Test
        void retryWithoutFilterShouldMakeEveryMailDue() throws Exception {
            fillQueue();

            when().post("/retry")
                .then()
                .statusCode(HttpStatus.OK_200)
                .body("selected", equalTo(3))
                .body("retried", equalTo(3));

            assertThat(browse(outgoing())).allMatch(mail -> mail.isDueAt(NOW));
        }

        @Test
        void retryByNameShouldMakeOnlyThatMailDueAndKeepItsState() throws Exception {
            fillQueue();

            given().queryParam("name", "mail-old")
                .when().post("/retry")
                .then()
                .statusCode(HttpStatus.OK_200)
                .body("selected", equalTo(1))
                .body("retried", equalTo(1));

            QueuedMail retried = find(outgoing(), "mail-old").orElseThrow();
            assertThat(retried.isDueAt(NOW)).isTrue();
            assertThat(retried.nextAttempt()).contains(NOW);
            assertThat(retried.attempts()).isEqualTo(3);
            assertThat(retried.arrived()).isEqualTo(NOW.minus(Duration.ofHours(2)));
            assertThat(retried.lastError()).contains("bob@example.com 4.4.1 (connection refused) at mx.example.com");
            assertThat(retried.recipients()).extracting(MailAddress::asString)
                .containsExactly("bob@example.com", "carol@example.com");
            assertThat(find(outgoing(), "mail-new").orElseThrow().isDueAt(NOW)).isFalse();
        }

        @Test
        void retryShouldLeaveNoHoldCopyBehind() throws Exception {
            fillQueue();

            given().queryParam("domain", "example.com").when().post("/retry").then().statusCode(HttpStatus.OK_200);

            assertThat(browse(outgoing())).extracting(QueuedMail::name)
                .containsExactlyInAnyOrder("mail-old", "mail-new", "mail-bounce");
        }

        @Test
        void retryByDomainShouldCountMailsAlreadyDueAsSelectedOnly() throws Exception {
            fillQueue();
            outgoing().enQueue(fresh("mail-due", MaybeSender.getMailSender("alice@postino.test"), Duration.ofMinutes(1),
                "grace@example.com"));

            given().queryParam("domain", "example.com")
                .when().post("/retry")
                .then()
                .statusCode(HttpStatus.OK_200)
                .body("selected", equalTo(3))
                .body("retried", equalTo(2));

            assertThat(browse(outgoing())).allMatch(mail -> mail.isDueAt(NOW));
        }

        @Test
        void retryOfAnUnknownNameShouldBeNotFound() throws Exception {
            fillQueue();

            given().queryParam("name", "mail-unknown")
                .when().post("/retry")
                .then()
                .statusCode(HttpStatus.NOT_FOUND_404)
                .body("type", equalTo("notFound"))
                .body("message", equalTo("No mail named 'mail-unknown' is waiting in the outgoing queue"));
        }

        @Test
        void retryShouldRejectTwoFilters() {
            given().queryParam("name", "mail-old").queryParam("domain", "example.com")
                .when().post("/retry")
                .then()
                .statusCode(HttpStatus.BAD_REQUEST_400)
                .body("type", equalTo("InvalidArgument"));
        }

        @Test
        void retryShouldRejectAnInvalidDomain() {
            given().queryParam("domain", "exa mple.com")
                .when().post("/retry")
                .then()
                .statusCode(HttpStatus.BAD_REQUEST_400)
                .body("type", equalTo("InvalidArgument"));
        }
    }

    @Nested
    class Delete {

        @Test
        void deleteWithoutFilterShouldBeRejectedAndDeleteNothing() throws Exception {
            fillQueue();

            when().delete()
                .then()
                .statusCode(HttpStatus.BAD_REQUEST_400)
                .body("type", equalTo("InvalidArgument"));

            assertThat(outgoing().getSize()).isEqualTo(3);
        }

        @Test
        void deleteAllShouldRequireTrue() throws Exception {
            fillQueue();

            given().queryParam("all", "yes").when().delete().then().statusCode(HttpStatus.BAD_REQUEST_400);

            assertThat(outgoing().getSize()).isEqualTo(3);
        }

        @Test
        void deleteAllShouldEmptyTheQueue() throws Exception {
            fillQueue();

            given().queryParam("all", "true")
                .when().delete()
                .then()
                .statusCode(HttpStatus.OK_200)
                .body("removed", equalTo(3));

            assertThat(outgoing().getSize()).isZero();
        }

        @Test
        void deleteAllShouldNotCombineWithAFilter() throws Exception {
            fillQueue();

            given().queryParam("all", "true").queryParam("domain", "example.com")
                .when().delete()
                .then()
                .statusCode(HttpStatus.BAD_REQUEST_400);

            assertThat(outgoing().getSize()).isEqualTo(3);
        }

        @Test
        void deleteByDomainShouldRemoveOnlyThatDestination() throws Exception {
            fillQueue();

            given().queryParam("domain", "example.com")
                .when().delete()
                .then()
                .statusCode(HttpStatus.OK_200)
                .body("removed", equalTo(2));

            assertThat(browse(outgoing())).extracting(QueuedMail::name).containsExactly("mail-bounce");
        }

        @Test
        void deleteByNameShouldRemoveThatMail() throws Exception {
            fillQueue();

            given().queryParam("name", "mail-new")
                .when().delete()
                .then()
                .statusCode(HttpStatus.OK_200)
                .body("removed", equalTo(1));

            assertThat(browse(outgoing())).extracting(QueuedMail::name).containsExactlyInAnyOrder("mail-old", "mail-bounce");
        }

        @Test
        void deleteOfAnUnknownNameShouldBeNotFound() throws Exception {
            fillQueue();

            given().queryParam("name", "mail-unknown")
                .when().delete()
                .then()
                .statusCode(HttpStatus.NOT_FOUND_404)
                .body("type", equalTo("notFound"));
        }
    }

    private static String golden(String name) throws IOException {
        try (InputStream in = OutgoingQueueRoutesTest.class.getResourceAsStream("/webadmin/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
