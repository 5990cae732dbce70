package org.postino.extensions.webadmin;

import static org.postino.extensions.webadmin.OutgoingQueueFixture.CLOCK;
import static org.postino.extensions.webadmin.OutgoingQueueFixture.deferred;
import static org.postino.extensions.webadmin.OutgoingQueueFixture.fresh;
import static org.postino.extensions.webadmin.OutgoingQueueFixture.withPriority;

import java.time.Duration;

import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.james.queue.api.RawMailQueueItemDecoratorFactory;
import org.apache.james.queue.memory.MemoryMailQueueFactory;
import org.apache.james.queue.memory.MemoryMailQueueFactory.MemoryCacheableMailQueue;
import org.apache.james.webadmin.WebAdminServer;
import org.apache.james.webadmin.WebAdminUtils;
import org.apache.james.webadmin.utils.JsonTransformer;
import org.apache.mailet.base.test.FakeMailContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.postino.mailets.delivery.dsn.DsnWriter;
import org.postino.mailets.delivery.dsn.Language;

import io.restassured.RestAssured;

/** A WebAdmin server with the outgoing-queue routes over James's in-memory queue, at the fixture's fixed time. */
abstract class OutgoingQueueRoutesHarness {

    static final Duration TWENTY_MINUTES = Duration.ofMinutes(20);

    MemoryMailQueueFactory queues;
    FakeMailContext mailetContext;
    private WebAdminServer webAdmin;

    @BeforeEach
    void setUp() throws Exception {
        queues = new MemoryMailQueueFactory(new RawMailQueueItemDecoratorFactory(), CLOCK);
        mailetContext = FakeMailContext.builder().postmaster(new MailAddress("postmaster@postino.test")).build();
        ReturnToSender returns = new ReturnToSender(mailetContext, DsnWriter.of(CLOCK, () -> "fixed"),
            "mx.postino.test", Language.ENGLISH);
        OutgoingQueue queue = new OutgoingQueue(queues, OutgoingQueue.DEFAULT_NAME, CLOCK, returns,
            OutgoingQueue.Browsing.LIVE);
        webAdmin = WebAdminUtils.createWebAdminServer(new OutgoingQueueRoutes(queue, new JsonTransformer())).start();
        RestAssured.requestSpecification = WebAdminUtils.buildRequestSpecification(webAdmin)
            .setBasePath(OutgoingQueueRoutes.BASE_PATH)
            .build();
        RestAssured.enableLoggingOfRequestAndResponseIfValidationFails();
    }

    @AfterEach
    void tearDown() {
        webAdmin.destroy();
    }

    MemoryCacheableMailQueue outgoing() {
        return queues.createQueue(OutgoingQueue.DEFAULT_NAME);
    }

    /** Two mails to example.com (one 2 h old, one 5 min), one bounce to another.test, due now. */
    void fillQueue() throws MessagingException {
        outgoing().enQueue(deferred("mail-old", "alice@postino.test", Duration.ofHours(2), 3,
            "bob@example.com 4.4.1 (connection refused) at mx.example.com", TWENTY_MINUTES,
            "bob@example.com", "carol@example.com"), TWENTY_MINUTES);
        outgoing().enQueue(withPriority(deferred("mail-new", "dave@postino.test", Duration.ofMinutes(5), 1,
            "erin@example.com 4.2.2 (452 mailbox full) at mx.example.com", Duration.ofMinutes(5),
            "erin@example.com"), 9), Duration.ofMinutes(5));
        outgoing().enQueue(fresh("mail-bounce", MaybeSender.nullSender(), Duration.ofHours(1), "frank@another.test"));
    }
}
