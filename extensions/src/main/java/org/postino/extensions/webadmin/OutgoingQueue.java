package org.postino.extensions.webadmin;

import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;

import org.apache.james.lifecycle.api.LifecycleUtil;
import org.apache.james.queue.api.MailQueue.MailQueueException;
import org.apache.james.queue.api.MailQueueFactory;
import org.apache.james.queue.api.MailQueueName;
import org.apache.james.queue.api.ManageableMailQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's commands on the delivery engine's outgoing queue: list, retry now, delete, return to sender.
 * A queue not created yet (no remote delivery since start-up) reads as empty.
 *
 * <p>Commands run one at a time: two retries of the same mail at once would share a hold copy (see
 * {@link Requeue}). The delivery engine keeps working meanwhile, so a mail listed a moment ago may be gone.
 *
 * <p>Browsing a JMS queue builds a mail, with its message in a temporary store, for every item: those are
 * disposed when the command ends ({@link Browsing#COPIES}), so listing a large queue leaves nothing behind.
 */
public final class OutgoingQueue {

    public static final MailQueueName DEFAULT_NAME = MailQueueName.of("outgoing");

    private static final Logger LOGGER = LoggerFactory.getLogger(OutgoingQueue.class);

    private final MailQueueFactory<? extends ManageableMailQueue> queues;
    private final MailQueueName name;
    private final Clock clock;
    private final ReturnToSender returns;
    private final Browsing browsing;

    public OutgoingQueue(MailQueueFactory<? extends ManageableMailQueue> queues, MailQueueName name, Clock clock,
                         ReturnToSender returns, Browsing browsing) {
        this.queues = queues;
        this.name = name;
        this.clock = clock;
        this.returns = returns;
        this.browsing = browsing;
    }

    /** What the queue's {@code browse()} hands out, which decides who disposes of it. */
    public enum Browsing {
        /** Mails built for the caller (the JMS and ActiveMQ queues): disposed when the command ends. */
        COPIES,
        /** The queue's own mails (James's in-memory queue): left alone. */
        LIVE
    }

    /** What a retry did: how many mails it found, and how many of them were waiting and are now due. */
    public record Retried(long selected, long retried) {
    }

    /** What a return did: how many copies of the mail left the queue, how many notices went out. */
    public record Returned(String name, long removed, int noticesSent) {
    }

    MailQueueName name() {
        return name;
    }

    Instant now() {
        return clock.instant();
    }

    /**
     * The queue's size and its mails as browsed; only their state is to be read (their message is gone). A queue may
     * hand out fewer mails than it holds when browsed (the ActiveMQ one pages in at most its browse limit), so the
     * size is asked of the queue, not counted.
     */
    Listing list(Selection selection) throws MailQueueException {
        return onQueue(queue -> {
            long size = queue.getSize();
            int[] browsed = new int[1];
            List<QueuedMail> mails = browse(queue, selection, browsed);
            release(mails);
            return new Listing(size, browsed[0], mails);
        }, new Listing(0, 0, List.of()));
    }

    /**
     * What {@link #list} found: how many mails the whole queue holds, how many browsing handed out, and those that
     * the selection matched.
     */
    record Listing(long queueSize, int browsed, List<QueuedMail> mails) {

        /** Whether browsing saw every mail of the queue (mails arriving meanwhile aside). */
        boolean complete() {
            return browsed >= queueSize;
        }
    }

    /** For all mails the queue's own flush; otherwise each waiting mail of the selection is requeued. */
    synchronized Retried retry(Selection selection) throws MailQueueException {
        if (selection.kind() == Selection.Kind.ALL) {
            return onQueue(queue -> {
                long flushed = queue.flush();
                LOGGER.info("All {} mails of the outgoing queue are due now at the operator's request", flushed);
                return new Retried(flushed, flushed);
            }, new Retried(0, 0));
        }
        return onQueue(queue -> retry(queue, selection), new Retried(0, 0));
    }

    private Retried retry(ManageableMailQueue queue, Selection selection) throws MailQueueException {
        List<QueuedMail> selected = browse(queue, selection);
        try {
            return retry(queue, selected);
        } finally {
            release(selected);
        }
    }

    private Retried retry(ManageableMailQueue queue, List<QueuedMail> selected) throws MailQueueException {
        Instant now = clock.instant();
        Map<String, List<QueuedMail>> waiting = new LinkedHashMap<>();
        for (QueuedMail mail : selected) {
            if (!mail.isDueAt(now) && selectable(mail)) {
                waiting.computeIfAbsent(mail.name(), key -> new ArrayList<>()).add(mail);
            }
        }
        Requeue requeue = new Requeue(queue);
        long retried = 0;
        for (Map.Entry<String, List<QueuedMail>> mails : waiting.entrySet()) {
            if (requeue.dueNow(mails.getKey(), mails.getValue(), now)) {
                retried += mails.getValue().size();
            }
        }
        return new Retried(selected.size(), retried);
    }

    /** @return how many mails left the queue */
    synchronized long delete(Selection selection) throws MailQueueException {
        return onQueue(queue -> {
            long removed;
            switch (selection.kind()) {
                case ALL:
                    removed = queue.clear();
                    break;
                case NAME:
                    removed = queue.remove(ManageableMailQueue.Type.Name, selection.mailName().orElseThrow());
                    break;
                default:
                    removed = 0;
                    List<QueuedMail> selected = browse(queue, selection);
                    release(selected);
                    for (String mailName : names(selected)) {
                        removed += queue.remove(ManageableMailQueue.Type.Name, mailName);
                    }
            }
            LOGGER.info("Deleted {} mails ({}) from the outgoing queue at the operator's request", removed, selection);
            return removed;
        }, 0L);
    }

    /**
     * Takes the mail out of the queue and sends its sender a {@code failed} notice. The notice is in the spool
     * before the mail leaves the queue, so a crash in between costs a notice sent for a mail that is still
     * delivered later, never a mail gone without a word.
     *
     * @return empty when no mail of that name is waiting
     */
    synchronized Optional<Returned> returnToSender(String mailName) throws MessagingException {
        Selection selection = Selection.name(mailName);
        return onQueue(queue -> {
            List<QueuedMail> mails = browse(queue, selection);
            if (mails.isEmpty()) {
                return Optional.<Returned>empty();
            }
            Map<QueuedMail, MimeMessage> notices = new LinkedHashMap<>();
            try {
                for (QueuedMail mail : mails) {
                    returns.noticeFor(mail).ifPresent(notice -> notices.put(mail, notice));
                }
            } finally {
                release(mails);
            }
            for (Map.Entry<QueuedMail, MimeMessage> notice : notices.entrySet()) {
                returns.send(notice.getKey(), notice.getValue());
            }
            long removed = queue.remove(ManageableMailQueue.Type.Name, mailName);
            if (removed == 0) {
                LOGGER.warn("{} was taken by the delivery engine while being returned to its sender", mailName);
            }
            LOGGER.info("Returned {} to its sender at the operator's request: {} notice(s)", mailName, notices.size());
            return Optional.of(new Returned(mailName, removed, notices.size()));
        }, Optional.empty());
    }

    private List<QueuedMail> browse(ManageableMailQueue queue, Selection selection) throws MailQueueException {
        return browse(queue, selection, new int[1]);
    }

    private List<QueuedMail> browse(ManageableMailQueue queue, Selection selection, int[] browsed) throws MailQueueException {
        List<QueuedMail> mails = new ArrayList<>();
        ManageableMailQueue.MailQueueIterator items = queue.browse();
        try {
            while (items.hasNext()) {
                QueuedMail mail = QueuedMail.of(items.next());
                browsed[0]++;
                if (selection.matches(mail)) {
                    mails.add(mail);
                } else {
                    release(List.of(mail));
                }
            }
        } catch (RuntimeException e) {
            release(mails);
            throw e;
        } finally {
            items.close();
        }
        return mails;
    }

    /** Disposes the messages of browsed copies; their state stays readable. */
    private void release(List<QueuedMail> mails) {
        if (browsing == Browsing.COPIES) {
            mails.forEach(mail -> LifecycleUtil.dispose(mail.mail()));
        }
    }

    private static List<String> names(List<QueuedMail> mails) {
        return mails.stream().filter(OutgoingQueue::selectable).map(QueuedMail::name).distinct()
            .collect(Collectors.toList());
    }

    private static boolean selectable(QueuedMail mail) {
        if (Selection.selectableByName(mail.name())) {
            return true;
        }
        LOGGER.warn("Skipping {}: a name with a quote cannot be selected in the queue", mail.name());
        return false;
    }

    private interface QueueAction<T, E extends Exception> {
        T apply(ManageableMailQueue queue) throws E;
    }

    private <T, E extends Exception> T onQueue(QueueAction<T, E> action, T whenMissing) throws E {
        Optional<? extends ManageableMailQueue> queue = queues.getQueue(name);
        if (queue.isEmpty()) {
            return whenMissing;
        }
        try {
            return action.apply(queue.get());
        } finally {
            try {
                queue.get().close();
            } catch (IOException e) {
                LOGGER.warn("Could not release the outgoing queue", e);
            }
        }
    }
}
