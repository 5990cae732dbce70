package org.postino.extensions.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.apache.james.mailbox.exception.MailboxException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.opensearch.client.opensearch.core.bulk.BulkOperation;

import reactor.core.scheduler.Schedulers;

/** The index's write line: bulk requests, each write its own outcome, order kept, retries. */
class IndexWriterTest {
    private MailIndexClient client;
    private IndexWriter writer;

    @BeforeEach
    void setUp() throws Exception {
        client = SearchTestIndex.fresh();
        writer = new IndexWriter(client, 100, 128, List.of(), Schedulers.boundedElastic(),
            task -> Schedulers.boundedElastic().schedule(task));
    }

    @AfterEach
    void tearDown() throws Exception {
        client.client().indices().delete(d -> d.index(client.indexName()));
        client.close();
    }

    private BulkOperation index(long uid, Map<String, Object> extra) {
        Map<String, Object> doc = new java.util.HashMap<>(Map.of("mailboxId", "m1", "uid", uid, "subject", "note " + uid));
        doc.putAll(extra);
        return BulkOperation.of(op -> op.index(i -> i.index(client.indexName()).id("m1:" + uid).routing("m1").document(doc)));
    }

    private BulkOperation delete(long uid) {
        return BulkOperation.of(op -> op.delete(d -> d.index(client.indexName()).id("m1:" + uid).routing("m1")));
    }

    private long count() throws Exception {
        client.client().indices().refresh(r -> r.index(client.indexName()));
        return client.client().count(c -> c.index(client.indexName())).count();
    }

    @Test
    void writesMadeWhileARequestIsUnderWayGoTogetherInTheNextOne() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        // the head of the line is not ready until released: everything behind it waits and then goes in one request
        List<CompletableFuture<Void>> first = writer.prepareAndWrite(() -> {
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return List.of(index(1, Map.of()));
        });
        List<CompletableFuture<Void>> writes = new ArrayList<>();
        for (long uid = 2; uid <= 60; uid++) {
            writes.add(writer.write(List.of(index(uid, Map.of())), false));
        }
        release.countDown();
        first.get(1).get(30, TimeUnit.SECONDS);
        CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);

        assertThat(writer.counts()).containsExactly(1, 60);
        assertThat(count()).isEqualTo(60);
    }

    @Test
    void anOperationRefusedFailsOnlyItsOwnWrite() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        List<CompletableFuture<Void>> head = writer.prepareAndWrite(() -> {
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return List.of(index(1, Map.of()));
        });
        CompletableFuture<Void> good = writer.write(List.of(index(2, Map.of())), false);
        // the mapping is strict: an unknown field is refused
        CompletableFuture<Void> bad = writer.write(List.of(index(3, Map.of("noSuchField", "x"))), false);
        CompletableFuture<Void> alsoGood = writer.write(List.of(index(4, Map.of())), false);
        release.countDown();

        head.get(1).get(30, TimeUnit.SECONDS);
        good.get(30, TimeUnit.SECONDS);
        alsoGood.get(30, TimeUnit.SECONDS);
        assertThatThrownBy(() -> bad.join())
            .isInstanceOf(CompletionException.class)
            .hasCauseInstanceOf(MailboxException.class)
            .hasMessageContaining("m1:3");
        assertThat(writer.counts()[0]).isEqualTo(1);
        assertThat(count()).isEqualTo(3);
    }

    @Test
    void writesAreAppliedInTheOrderTheyWereMade() throws Exception {
        List<CompletableFuture<Void>> writes = new ArrayList<>();
        for (long uid = 1; uid <= 20; uid++) {
            long id = uid;
            // slow to prepare, yet applied before the delete made after it
            writes.add(writer.prepareAndWrite(() -> {
                sleep(id % 3 * 20);
                return List.of(index(id, Map.of()));
            }).get(1));
            writes.add(writer.write(List.of(delete(uid)), true));
        }
        writes.add(writer.prepareAndWrite(() -> List.of(index(99, Map.of()))).get(1));
        CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);

        assertThat(count()).isEqualTo(1);
    }

    @Test
    void anActionInLineRunsAfterTheWritesBeforeItAndBeforeThoseAfterIt() throws Exception {
        List<CompletableFuture<Void>> writes = new ArrayList<>();
        for (long uid = 1; uid <= 5; uid++) {
            long id = uid;
            writes.add(writer.prepareAndWrite(() -> {
                sleep(30);
                return List.of(index(id, Map.of()));
            }).get(1));
        }
        List<Long> seen = new ArrayList<>();
        writes.add(writer.runInLine(() -> {
            try {
                seen.add(count());
            } catch (Exception e) {
                return CompletableFuture.failedFuture(e);
            }
            return CompletableFuture.completedFuture(null);
        }));
        writes.add(writer.write(List.of(index(6, Map.of())), false));
        CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);

        assertThat(seen).containsExactly(5L);
        assertThat(count()).isEqualTo(6);
    }

    @Test
    void aRequestThatFailsIsSentAgainThenFailsEachOfItsWrites() throws Exception {
        MailIndexClient down = new MailIndexClient(List.of(URI.create("http://127.0.0.1:9")), null, null,
            client.indexName(), 500, 1_000);
        IndexWriter failing = new IndexWriter(down, 100, 128, List.of(Duration.ofMillis(100), Duration.ofMillis(100)),
            Schedulers.boundedElastic(), Runnable::run);
        long started = System.nanoTime();
        CompletableFuture<Void> one = failing.write(List.of(index(1, Map.of())), false);
        CompletableFuture<Void> two = failing.write(List.of(index(2, Map.of())), false);

        assertThatThrownBy(() -> one.get(30, TimeUnit.SECONDS)).hasRootCauseInstanceOf(java.net.ConnectException.class);
        assertThatThrownBy(() -> two.get(30, TimeUnit.SECONDS)).hasRootCauseInstanceOf(java.net.ConnectException.class);
        // tried three times: once, then after each of the two delays
        assertThat(System.nanoTime() - started).isGreaterThanOrEqualTo(Duration.ofMillis(200).toNanos());
        down.close();
    }

    @Test
    void aWriteLargerThanABulkRequestGoesOutInSeveral() throws Exception {
        List<BulkOperation> many = new ArrayList<>();
        for (long uid = 1; uid <= 250; uid++) {
            many.add(index(uid, Map.of()));
        }
        writer.write(many, false).get(30, TimeUnit.SECONDS);

        assertThat(writer.counts()).containsExactly(3, 250);
        assertThat(count()).isEqualTo(250);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
