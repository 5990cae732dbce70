package org.postino.server;

import static org.assertj.core.api.Assertions.assertThat;

import javax.jms.JMSException;

import org.apache.james.queue.api.MailQueue;
import org.junit.jupiter.api.Test;

class DroppedErrorsTest {

    @Test
    void theSpoolersInterruptedQueueReaderAtAStopIsRecognised() {
        JMSException jms = new JMSException("java.lang.InterruptedException");
        jms.setLinkedException(new InterruptedException());
        MailQueue.MailQueueException dequeue = new MailQueue.MailQueueException("Unable to dequeue next message", jms);

        assertThat(DroppedErrors.causedByInterruption(dequeue)).isTrue();
        assertThat(DroppedErrors.causedByInterruption(new RuntimeException(new InterruptedException()))).isTrue();
    }

    @Test
    void otherErrorsAreNotTakenForAStop() {
        JMSException jms = new JMSException("broker gone");
        jms.setLinkedException(new java.io.IOException("connection reset"));

        assertThat(DroppedErrors.causedByInterruption(new MailQueue.MailQueueException("Unable to dequeue next message", jms))).isFalse();
        assertThat(DroppedErrors.causedByInterruption(new IllegalStateException("x"))).isFalse();
    }
}
