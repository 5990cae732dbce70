package org.postino.extensions.webadmin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.postino.extensions.webadmin.OutgoingQueueFixture.CLOCK;
import static org.postino.extensions.webadmin.OutgoingQueueFixture.NOW;
import static org.postino.extensions.webadmin.OutgoingQueueFixture.browse;
import static org.postino.extensions.webadmin.OutgoingQueueFixture.deferred;
import static org.postino.extensions.webadmin.OutgoingQueueFixture.find;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.apache.james.queue.api.MailQueueName;
import org.apache.james.queue.api.ManageableMailQueue;
import org.apache.james.queue.api.RawMailQueueItemDecoratorFactory;
import org.apache.james.queue.memory.MemoryMailQueueFactory;
import org.apache.mailet.Mail;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Publisher;

class RequeueTest {

    private RecordingQueue queue;
    private Requeue testee;

    @BeforeEach
    void setUp() throws Exception {
        MemoryMailQueueFactory queues = new MemoryMailQueueFactory(new RawMailQueueItemDecoratorFactory(), CLOCK);
        queue = new RecordingQueue(queues.createQueue(MailQueueName.of("outgoing")));
        queue.delegate.enQueue(deferred("mail-1", "alice@postino.test", Duration.ofHours(2), 3, "4.4.1 refused",
            Duration.ofMinutes(40), "bob@example.com"), Duration.ofMinutes(40));
        testee = new Requeue(queue);
    }

    private List<QueuedMail> waiting() throws Exception {
        return List.of(find(queue, "mail-1").orElseThrow());
    }

    @Test
    void dueNowShouldHoldACopyBeforeRemovingTheOriginalAndReleaseItLast() throws Exception {
        assertThat(testee.dueNow("mail-1", waiting(), NOW)).isTrue();

        assertThat(queue.operations).containsExactly(
            "enqueue mail-1.held-for-retry PT40M",
            "remove mail-1",
            "enqueue mail-1 now",
            "remove mail-1.held-for-retry");
        assertThat(browse(queue)).extracting(QueuedMail::name).containsExactly("mail-1");
    }

    @Test
    void holdCopyShouldWaitAtLeastTheMinimumHold() throws Exception {
        List<QueuedMail> mails = waiting();

        testee.dueNow("mail-1", mails, NOW.plus(Duration.ofMinutes(38)));

        assertThat(queue.operations.get(0)).isEqualTo("enqueue mail-1.held-for-retry PT10M");
    }

    @Test
    void dueNowShouldKeepTheHoldCopyWhenTheMailCannotBePutBack() throws Exception {
        queue.failEnqueueNumber = 2;

        assertThatThrownBy(() -> testee.dueNow("mail-1", waiting(), NOW))
            .hasMessageContaining("it is kept as mail-1.held-for-retry");

        QueuedMail kept = find(queue, "mail-1.held-for-retry").orElseThrow();
        assertThat(kept.attempts()).isEqualTo(3);
        assertThat(kept.isDueAt(NOW)).isFalse();
        assertThat(browse(queue)).hasSize(1);
    }

    @Test
    void dueNowShouldChangeNothingWhenTheHoldCopyCannotBeMade() throws Exception {
        queue.failEnqueueNumber = 1;

        assertThatThrownBy(() -> testee.dueNow("mail-1", waiting(), NOW));

        assertThat(browse(queue)).extracting(QueuedMail::name).containsExactly("mail-1");
        assertThat(find(queue, "mail-1").orElseThrow().isDueAt(NOW)).isFalse();
    }

    @Test
    void dueNowShouldLeaveNothingBehindWhenTheMailLeftMeanwhile() throws Exception {
        List<QueuedMail> mails = waiting();
        queue.delegate.remove(ManageableMailQueue.Type.Name, "mail-1");

        assertThat(testee.dueNow("mail-1", mails, NOW)).isFalse();

        assertThat(browse(queue)).isEmpty();
    }

    /** A queue that writes down what is done to it, and can fail its n-th enqueue. */
    private static final class RecordingQueue implements ManageableMailQueue {
        private final ManageableMailQueue delegate;
        private final List<String> operations = new ArrayList<>();
        private int failEnqueueNumber = 0;
        private int enqueues = 0;

        RecordingQueue(ManageableMailQueue delegate) {
            this.delegate = delegate;
        }

        @Override
        public void enQueue(Mail mail, Duration delay) throws MailQueueException {
            enqueues++;
            if (enqueues == failEnqueueNumber) {
                throw new MailQueueException("disk full");
            }
            operations.add("enqueue " + mail.getName() + " " + delay);
            delegate.enQueue(mail, delay);
        }

        @Override
        public void enQueue(Mail mail) throws MailQueueException {
            enqueues++;
            if (enqueues == failEnqueueNumber) {
                throw new MailQueueException("disk full");
            }
            operations.add("enqueue " + mail.getName() + " now");
            delegate.enQueue(mail);
        }

        @Override
        public long remove(Type type, String value) throws MailQueueException {
            operations.add("remove " + value);
            return delegate.remove(type, value);
        }

        @Override
        public MailQueueName getName() {
            return delegate.getName();
        }

        @Override
        public Publisher<Void> enqueueReactive(Mail mail) {
            return delegate.enqueueReactive(mail);
        }

        @Override
        public Publisher<MailQueueItem> deQueue() {
            return delegate.deQueue();
        }

        @Override
        public long getSize() throws MailQueueException {
            return delegate.getSize();
        }

        @Override
        public long flush() throws MailQueueException {
            return delegate.flush();
        }

        @Override
        public long clear() throws MailQueueException {
            return delegate.clear();
        }

        @Override
        public MailQueueIterator browse() throws MailQueueException {
            return delegate.browse();
        }

        @Override
        public void close() {
        }
    }
}
