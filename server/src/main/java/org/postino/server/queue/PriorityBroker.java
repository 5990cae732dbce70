package org.postino.server.queue;

import java.io.File;
import java.nio.file.Path;

import org.apache.activemq.ActiveMQConnectionFactory;
import org.apache.activemq.ActiveMQPrefetchPolicy;
import org.apache.activemq.broker.BrokerService;
import org.apache.activemq.broker.region.policy.PolicyEntry;
import org.apache.activemq.broker.region.policy.PolicyMap;
import org.apache.activemq.store.kahadb.KahaDBPersistenceAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded message broker that holds the spool and outgoing queues.
 *
 * <p>Why not James's {@code EmbeddedActiveMQ}: it starts its broker in its constructor with no way
 * to set a destination policy, and a policy set on a running broker is lost on restart because the
 * stored queues load first. Here the policy ({@code prioritizedMessages}) is in place before the
 * broker starts, so high-priority mail leaves first, also right after a crash.
 *
 * <p>Durability: KahaDB journals every message and syncs the journal to disk before the send
 * returns, so a message the SMTP server acknowledged survives {@code kill -9}. The broker is
 * reachable only inside the JVM ({@code vm://}); it opens no network port.
 */
public final class PriorityBroker {

    private static final Logger LOGGER = LoggerFactory.getLogger(PriorityBroker.class);
    private static final String NAME = "postino";
    /** The most mails one browse of a queue hands out. */
    public static final int MAX_BROWSE = 10_000;
    /** The most messages of a queue the broker holds in memory to find the next one due (within its memory limit). */
    public static final int MAX_PAGE = 5_000;

    private final BrokerService broker;
    private final ActiveMQConnectionFactory connectionFactory;

    private PriorityBroker(BrokerService broker, ActiveMQConnectionFactory connectionFactory) {
        this.broker = broker;
        this.connectionFactory = connectionFactory;
    }

    public static PriorityBroker start(Path directory) throws Exception {
        File root = directory.toFile();
        KahaDBPersistenceAdapter store = new KahaDBPersistenceAdapter();
        store.setDirectory(new File(root, "kahadb"));
        store.setJournalDiskSyncStrategy("always");
        store.setCheckForCorruptJournalFiles(true);
        store.setChecksumJournalFiles(true);

        PolicyEntry everyQueue = new PolicyEntry();
        everyQueue.setQueue(">");
        everyQueue.setPrioritizedMessages(true);
        // Browsing (the operator's queue listing, per-domain retry and delete) sees at most this many mails; ActiveMQ's
        // default of 400 hid most of any real backlog. Browsed mails are held in memory while listed, hence a limit.
        everyQueue.setMaxBrowsePageSize(MAX_BROWSE);
        // James's queue hands out delayed mail (retries, destinations at their limit) by a selector on its due time.
        // The broker only looks for a match among the messages it has paged in, 200 by default: a backlog of mail
        // not yet due at the head of the queue would hide everything behind it, high priority included.
        everyQueue.setMaxPageSize(MAX_PAGE);
        // Messages are persistent and their store is the limit: a full memory cache (a large page of large mails)
        // must never block the SMTP server's enqueue; the broker then just reads from the store.
        everyQueue.setProducerFlowControl(false);
        // Record "handed out" before handing out, so a message redelivered after a crash is
        // known to be one (the pipeline then checks it was not already delivered).
        everyQueue.setPersistJMSRedelivered(true);
        PolicyMap policies = new PolicyMap();
        policies.setDefaultEntry(everyQueue);

        BrokerService broker = new BrokerService();
        broker.setBrokerName(NAME);
        broker.setBrokerId(NAME);
        broker.setDataDirectoryFile(root);
        broker.setTmpDataDirectory(new File(root, "tmp"));
        broker.setPersistent(true);
        broker.setPersistenceAdapter(store);
        broker.setDestinationPolicy(policies);
        broker.setUseJmx(false);
        broker.setUseShutdownHook(false);
        broker.setSchedulerSupport(false);
        broker.setAdvisorySupport(false);
        broker.setEnableStatistics(true);
        // Memory for messages the broker holds (paged in to find the next one due): a quarter of the heap, not
        // ActiveMQ's 1 GiB (cut to 70% of the heap), so that a backlog of large mails cannot crowd out the server.
        broker.getSystemUsage().getMemoryUsage().setLimit(Runtime.getRuntime().maxMemory() / 4);
        broker.start();
        broker.waitUntilStarted();
        LOGGER.info("Queue broker started, store in {}", store.getDirectory());

        ActiveMQConnectionFactory factory = new ActiveMQConnectionFactory("vm://" + NAME + "?create=false");
        factory.setTrustAllPackages(false);
        ActiveMQPrefetchPolicy prefetch = new ActiveMQPrefetchPolicy();
        // No prefetch: a consumer takes one message at a time, so priority decides every pick.
        prefetch.setQueuePrefetch(0);
        prefetch.setTopicPrefetch(0);
        factory.setPrefetchPolicy(prefetch);
        return new PriorityBroker(broker, factory);
    }

    public ActiveMQConnectionFactory connectionFactory() {
        return connectionFactory;
    }

    public void stop() throws Exception {
        broker.stop();
        broker.waitUntilStopped();
        LOGGER.info("Queue broker stopped");
    }
}
