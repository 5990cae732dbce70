package org.postino.extensions.webadmin;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import javax.mail.MessagingException;

import org.apache.james.lifecycle.api.LifecycleUtil;
import org.apache.james.queue.api.MailQueue.MailQueueException;
import org.apache.james.queue.api.ManageableMailQueue;
import org.apache.mailet.Mail;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes waiting mails due now, keeping their names and attributes (so their place in the retry schedule), without
 * there ever being a moment when the queue holds no copy of a mail.
 *
 * <p>Why not "enqueue a due copy, then remove the original": the queue removes by name, and the copy must keep
 * the name, so that removal would take the copy too. Instead, for the mails of one name:
 * <ol>
 *   <li><b>hold</b>: enqueue a copy named {@code <name>.held-for-retry}, kept back at least as long as the original
 *       and never less than {@link #MINIMUM_HOLD}, so the delivery engine cannot take it while we work;</li>
 *   <li><b>remove</b> the originals by name; none removed means the engine took them meanwhile: drop the hold
 *       copy and leave things as they are;</li>
 *   <li><b>requeue</b> a copy under the original name, with no delay and its next attempt set to now;</li>
 *   <li><b>release</b>: remove the hold copy.</li>
 * </ol>
 * A crash or an error after step 1 leaves at most an extra copy (the hold copy, delivered at the original's time
 * under the {@code .held-for-retry} name): a possible duplicate, never a lost mail. Step 3 failing leaves the hold
 * copy in place, and the error names it.
 */
final class Requeue {

    static final String HOLD_SUFFIX = ".held-for-retry";
    static final Duration MINIMUM_HOLD = Duration.ofMinutes(10);

    private static final Logger LOGGER = LoggerFactory.getLogger(Requeue.class);

    private final ManageableMailQueue queue;

    Requeue(ManageableMailQueue queue) {
        this.queue = queue;
    }

    /**
     * Makes {@code mails}, all of one name as browsed a moment ago, due at {@code now}.
     *
     * @return false when they were no longer waiting in the queue (taken by the engine, or deleted meanwhile)
     */
    boolean dueNow(String name, List<QueuedMail> mails, Instant now) throws MailQueueException {
        String holdName = name + HOLD_SUFFIX;
        try {
            for (QueuedMail mail : mails) {
                Duration hold = mail.remainingDelayAt(now);
                enQueue(copy(mail.mail(), holdName), hold.compareTo(MINIMUM_HOLD) < 0 ? MINIMUM_HOLD : hold);
            }
        } catch (MailQueueException e) {
            // The originals are untouched: drop whatever hold copies were made, so nothing is sent twice.
            queue.remove(ManageableMailQueue.Type.Name, holdName);
            throw e;
        }
        long removed = queue.remove(ManageableMailQueue.Type.Name, name);
        if (removed == 0) {
            queue.remove(ManageableMailQueue.Type.Name, holdName);
            LOGGER.info("{} left the outgoing queue before it could be retried", name);
            return false;
        }
        if (removed < mails.size()) {
            LOGGER.warn("{}: {} of its {} copies left the queue during the retry; the others are retried and may "
                + "be delivered twice", name, mails.size() - removed, mails.size());
        }
        try {
            for (QueuedMail mail : mails) {
                Mail due = copy(mail.mail(), name);
                QueuedMail.markDue(due, now);
                enQueue(due, Duration.ZERO);
            }
        } catch (MailQueueException e) {
            throw new MailQueueException("could not put " + name + " back in the queue; it is kept as " + holdName
                + " and will be attempted at its planned time", e);
        }
        queue.remove(ManageableMailQueue.Type.Name, holdName);
        LOGGER.info("{} is due now at the operator's request", name);
        return true;
    }

    /** The queue keeps its own copy (serialized, or cloned), so ours is disposed right away. */
    private void enQueue(Mail copy, Duration delay) throws MailQueueException {
        try {
            if (delay.isZero()) {
                queue.enQueue(copy);
            } else {
                queue.enQueue(copy, delay);
            }
        } finally {
            LifecycleUtil.dispose(copy);
        }
    }

    private static Mail copy(Mail mail, String name) throws MailQueueException {
        try {
            Mail copy = mail.duplicate();
            copy.setName(name);
            copy.setState(mail.getState());
            return copy;
        } catch (MessagingException e) {
            throw new MailQueueException("could not copy " + mail.getName(), e);
        }
    }
}
