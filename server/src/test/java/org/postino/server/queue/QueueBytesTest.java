package org.postino.server.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.time.Duration;

import org.apache.james.lifecycle.api.LifecycleUtil;
import org.apache.james.metrics.api.NoopGaugeRegistry;
import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.apache.james.queue.api.MailQueue;
import org.apache.james.queue.api.MailQueueName;
import org.apache.james.queue.api.RawMailQueueItemDecoratorFactory;
import org.apache.james.server.core.MailImpl;
import org.apache.james.server.core.MimeMessageInputStream;
import org.apache.james.server.core.MimeMessageInputStreamSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.postino.mailets.message.HeaderSafeMessage;
import org.postino.mailets.message.Malformed;
import org.postino.mailets.message.MessageBytes;

import reactor.core.publisher.Flux;

/** Mail goes into Postino's queue and comes out byte for byte: malformed MIME, raw 8-bit header bytes and all. */
class QueueBytesTest {

    @TempDir
    Path directory;
    private PriorityBroker broker;
    private RedeliveryAwareMailQueue queue;

    @BeforeEach
    void start() throws Exception {
        broker = PriorityBroker.start(directory.resolve("queue"));
        queue = new RedeliveryAwareMailQueue(broker.connectionFactory(), new RawMailQueueItemDecoratorFactory(),
            MailQueueName.of("spool"), new RecordingMetricFactory(), new NoopGaugeRegistry(), StorageGuard.of(directory, 1));
    }

    @AfterEach
    void stop() throws Exception {
        queue.dispose();
        broker.stop();
    }

    static Iterable<String> fixtures() {
        return Malformed.UNSAVABLE;
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void mailAsTheSmtpServerEnqueuesItComesOutAsReceived(String fixture) throws Exception {
        byte[] raw = Malformed.bytes(fixture);
        MailImpl mail = MailImpl.builder().name("Mail1-queue").sender("sender@example.org").addRecipient("alice@example.com").build();
        mail.setMessageContent(MimeMessageInputStreamSource.create("test", new ByteArrayInputStream(raw)));

        byte[] out = roundTrip(mail);

        assertThat(out).isEqualTo(raw);
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void mailWithAHeaderChangedByThePipelineComesOutAsItWasWritten(String fixture) throws Exception {
        byte[] raw = Malformed.bytes(fixture);
        HeaderSafeMessage message = new HeaderSafeMessage(Malformed.source(raw));
        message.setHeader("X-Changed", "by a mailet");
        ByteArrayOutputStream written = new ByteArrayOutputStream();
        message.writeTo(written);
        MailImpl mail = MailImpl.builder().name("Mail2-queue").sender("sender@example.org").addRecipient("bob@example.net").build();
        mail.setMessageNoCopy(message);

        byte[] out = roundTrip(mail);

        assertThat(out).isEqualTo(written.toByteArray());
        assertThat(Malformed.body(out)).isEqualTo(Malformed.body(raw));
    }

    private byte[] roundTrip(MailImpl mail) throws Exception {
        queue.enQueue(mail);
        mail.dispose();
        MailQueue.MailQueueItem item = Flux.from(queue.deQueue()).blockFirst(Duration.ofSeconds(30));
        assertThat(item).isNotNull();
        try {
            byte[] bytes = MessageBytes.toByteArray(item.getMail().getMessage());
            // what LocalDelivery stores (before its Return-Path)
            assertThat(new MimeMessageInputStream(item.getMail().getMessage()).readAllBytes()).isEqualTo(bytes);
            return bytes;
        } finally {
            item.done(MailQueue.MailQueueItem.CompletionStatus.SUCCESS);
            LifecycleUtil.dispose(item.getMail());
        }
    }
}
