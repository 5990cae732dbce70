package org.postino.extensions.search;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.apache.james.mailbox.exception.MailboxException;
import org.opensearch.client.opensearch.core.BulkResponse;
import org.opensearch.client.opensearch.core.bulk.BulkOperation;
import org.opensearch.client.opensearch.core.bulk.BulkResponseItem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import reactor.core.scheduler.Scheduler;

/**
 * Every write of the mail index, in the order it was submitted, in as few bulk requests as possible.
 *
 * <p>Writes queue up in one line. One request is under way at a time: when it is answered, everything
 * ready at the head of the line (at most {@code maxItems} operations) goes out together in the next bulk
 * request. An idle server pays no added delay; a busy one pays one HTTP request and one translog sync per
 * group instead of per message. Keeping one line and one request under way keeps every document's
 * writes in order (an expunge is never overtaken by the index of the message it removes).
 *
 * <p>A write whose operations are still being prepared (a document built from the store) holds up the
 * line behind it until they are ready; its preparation starts once it is among the first
 * {@code readyAhead} writes waiting, so what waits in memory stays bounded.
 *
 * <p>A request that fails as a whole (OpenSearch down, slow, overloaded) is sent again, as it was and
 * before anything behind it, after each of {@code retryDelays}; then each of its writes fails. An
 * operation OpenSearch refuses fails only the write it belongs to. Each write completes with its own
 * outcome, for its caller to handle (the index puts the mailbox in the backlog).
 */
final class IndexWriter {
    private static final Logger LOGGER = LoggerFactory.getLogger(IndexWriter.class);

    private final MailIndexClient index;
    private final int maxItems;
    private final int readyAhead;
    private final List<Duration> retryDelays;
    private final Scheduler scheduler;
    private final Executor preparation;
    private final Object lock = new Object();
    private final ArrayDeque<Write> line = new ArrayDeque<>();
    private boolean sending;
    private int started;
    private long requests;
    private long operations;

    /** One write: bulk operations, or an action that must run alone (a delete by query). */
    private static final class Write {
        final CompletableFuture<Void> done = new CompletableFuture<>();
        final CompletableFuture<Void> admitted = new CompletableFuture<>();
        final CompletableFuture<List<BulkOperation>> operations = new CompletableFuture<>();
        final Supplier<List<BulkOperation>> prepare;
        final Supplier<CompletableFuture<?>> action;
        final boolean missingIsDone;
        boolean preparing;
        int sent;
        int answered;
        List<String> refused;

        Write(Supplier<List<BulkOperation>> prepare, Supplier<CompletableFuture<?>> action, boolean missingIsDone) {
            this.prepare = prepare;
            this.action = action;
            this.missingIsDone = missingIsDone;
        }

        boolean ready() {
            return action != null || (operations.isDone() && !operations.isCompletedExceptionally());
        }

        List<BulkOperation> ops() {
            return operations.getNow(List.of());
        }
    }

    /** A slice of a write's operations in one bulk request. */
    private record Slice(Write write, int from, int to) {
    }

    /**
     * @param scheduler    answers are handled there (not on the HTTP client's I/O thread: what a caller does
     *                     next must not hold up the connections), and retries are timed there
     * @param preparation  where documents are built from the store (blocking work)
     */
    IndexWriter(MailIndexClient index, int maxItems, int readyAhead, List<Duration> retryDelays, Scheduler scheduler,
                Executor preparation) {
        this.index = index;
        this.maxItems = maxItems;
        this.readyAhead = readyAhead;
        this.retryDelays = List.copyOf(retryDelays);
        this.scheduler = scheduler;
        this.preparation = preparation;
        index.connected().whenComplete((ok, e) -> send());
    }

    /** Writes ready-made operations; completes once OpenSearch has applied them. */
    CompletableFuture<Void> write(List<BulkOperation> operations, boolean missingIsDone) {
        if (operations.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        Write write = new Write(null, null, missingIsDone);
        write.operations.complete(operations);
        return enqueue(write).done;
    }

    /**
     * Queues a write whose operations {@code prepare} computes (blocking is fine) once the write is near
     * the head of the line.
     *
     * @return [0] completes once the write is among the first {@code readyAhead} waiting (a caller may
     *         wait for it, so that the line cannot grow without end); [1] once OpenSearch applied it
     */
    List<CompletableFuture<Void>> prepareAndWrite(Supplier<List<BulkOperation>> prepare) {
        Write write = enqueue(new Write(prepare, null, false));
        return List.of(write.admitted, write.done);
    }

    /** Runs {@code action} alone, after every write queued before it and before any queued after it. */
    CompletableFuture<Void> runInLine(Supplier<CompletableFuture<?>> action) {
        return enqueue(new Write(null, action, false)).done;
    }

    /** Completes once everything queued so far has been written (or has failed). */
    CompletableFuture<Void> flushed() {
        return runInLine(() -> CompletableFuture.completedFuture(null)).exceptionally(e -> null);
    }

    /** Bulk requests sent so far, and the operations they carried. */
    long[] counts() {
        synchronized (lock) {
            return new long[] {requests, operations};
        }
    }

    private Write enqueue(Write write) {
        synchronized (lock) {
            line.add(write);
        }
        startPreparations();
        send();
        return write;
    }

    /** Admits, and starts preparing, the writes now among the first {@code readyAhead}. */
    private void startPreparations() {
        List<Write> toStart = new ArrayList<>();
        synchronized (lock) {
            int position = 0;
            for (Iterator<Write> it = line.iterator(); it.hasNext() && position < readyAhead; position++) {
                Write write = it.next();
                if (!write.preparing) {
                    write.preparing = true;
                    toStart.add(write);
                }
            }
        }
        for (Write write : toStart) {
            write.admitted.complete(null);
            if (write.prepare != null) {
                try {
                    preparation.execute(() -> {
                        try {
                            write.operations.complete(write.prepare.get());
                        } catch (Throwable e) {
                            write.operations.completeExceptionally(e);
                        }
                        send();
                    });
                } catch (RuntimeException e) {
                    write.operations.completeExceptionally(e);
                }
            }
        }
    }

    private void send() {
        List<Slice> batch = new ArrayList<>();
        List<Write> failedPreparations = new ArrayList<>();
        Write action = null;
        synchronized (lock) {
            if (sending || !index.connected().isDone()) {
                return;
            }
            int count = 0;
            while (!line.isEmpty()) {
                Write head = line.peek();
                if (head.prepare != null && head.operations.isCompletedExceptionally()) {
                    line.poll();
                    failedPreparations.add(head);
                    continue;
                }
                if (!head.ready()) {
                    break;
                }
                if (head.action != null) {
                    if (batch.isEmpty()) {
                        action = head;
                    }
                    break;
                }
                List<BulkOperation> ops = head.ops();
                if (ops.isEmpty()) {
                    line.poll();
                    head.done.complete(null);
                    continue;
                }
                int room = maxItems - count;
                if (room <= 0) {
                    break;
                }
                int to = Math.min(ops.size(), head.sent + room);
                batch.add(new Slice(head, head.sent, to));
                count += to - head.sent;
                head.sent = to;
                if (to < ops.size()) {
                    break; // the rest of this write goes in the next request
                }
                line.poll();
            }
            if (action != null) {
                line.poll();
            }
            if (!batch.isEmpty() || action != null) {
                sending = true;
            }
        }
        for (Write failed : failedPreparations) {
            failed.operations.whenComplete((ops, e) -> failed.done.completeExceptionally(e));
        }
        if (!failedPreparations.isEmpty()) {
            startPreparations();
        }
        // sent from the scheduler: the caller may be a delivery holding its mailbox's lock
        if (action != null) {
            Write alone = action;
            scheduler.schedule(() -> runAction(alone, 0));
        } else if (!batch.isEmpty()) {
            startPreparations();
            scheduler.schedule(() -> sendBatch(batch, 0));
        }
    }

    private void runAction(Write write, int attempt) {
        CompletableFuture<?> result;
        try {
            index.ensureIndex();
            result = write.action.get();
        } catch (Exception | LinkageError e) {
            result = CompletableFuture.failedFuture(e);
        }
        result.whenComplete((ok, error) -> scheduler.schedule(() -> {
            if (error != null && attempt < retryDelays.size()) {
                retryLater(() -> runAction(write, attempt + 1), attempt);
                return;
            }
            if (error != null) {
                write.done.completeExceptionally(error);
            } else {
                write.done.complete(null);
            }
            next();
        }));
    }

    private void sendBatch(List<Slice> batch, int attempt) {
        CompletableFuture<BulkResponse> response;
        try {
            index.ensureIndex();
            List<BulkOperation> ops = new ArrayList<>();
            for (Slice slice : batch) {
                ops.addAll(slice.write.ops().subList(slice.from, slice.to));
            }
            synchronized (lock) {
                requests++;
                operations += ops.size();
            }
            response = index.async().bulk(b -> b.index(index.indexName()).operations(ops));
        } catch (Exception | LinkageError e) {
            response = CompletableFuture.failedFuture(e);
        }
        response.whenComplete((answer, error) -> scheduler.schedule(() -> {
            if (error != null && attempt < retryDelays.size()) {
                retryLater(() -> sendBatch(batch, attempt + 1), attempt);
                return;
            }
            try {
                answered(batch, answer, error);
            } finally {
                next();
            }
        }));
    }

    private void retryLater(Runnable retry, int attempt) {
        Duration delay = retryDelays.get(attempt);
        LOGGER.debug("search index request failed, trying again in {} ms", delay.toMillis());
        scheduler.schedule(retry, delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void next() {
        synchronized (lock) {
            sending = false;
        }
        send();
    }

    private static void answered(List<Slice> batch, BulkResponse answer, Throwable error) {
        List<BulkResponseItem> items = error == null ? answer.items() : List.of();
        int expected = batch.stream().mapToInt(slice -> slice.to - slice.from).sum();
        Throwable failure = error;
        if (failure == null && items.size() != expected) {
            failure = new IllegalStateException("bulk answer has " + items.size() + " items for " + expected + " operations");
        }
        int i = 0;
        for (Slice slice : batch) {
            Write write = slice.write;
            if (failure != null) {
                write.done.completeExceptionally(failure);
                continue;
            }
            for (int n = slice.from; n < slice.to; n++, i++) {
                BulkResponseItem item = items.get(i);
                if (item.error() != null && !(write.missingIsDone && item.status() == 404)) {
                    if (write.refused == null) {
                        write.refused = new ArrayList<>();
                    }
                    write.refused.add(item.id() + ": " + item.error().reason());
                }
            }
            write.answered += slice.to - slice.from;
            if (write.answered == write.ops().size()) {
                if (write.refused == null) {
                    write.done.complete(null);
                } else {
                    write.done.completeExceptionally(new MailboxException("search index refused " + write.refused.size()
                        + " change(s), e.g. " + write.refused.get(0)));
                }
            }
        }
    }
}
