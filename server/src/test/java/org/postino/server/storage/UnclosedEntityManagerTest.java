package org.postino.server.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Properties;

import javax.persistence.EntityManager;
import javax.persistence.EntityManagerFactory;
import javax.persistence.Persistence;

import org.apache.openjpa.kernel.AbstractBrokerFactory;
import org.apache.openjpa.persistence.JPAFacadeHelper;
import org.junit.jupiter.api.Test;
import org.postino.server.config.StrictProperties;

/**
 * An entity manager that some code path opens and never closes must not stay in memory: James's JPA mappers open
 * one per mailbox session and close it only when the session's request is ended, which not every caller does.
 * With OpenJPA's default brokers each such manager was kept by the factory for good (the server ran out of heap
 * after tens of thousands of deliveries).
 */
class UnclosedEntityManagerTest {

    private static final int LEFT_OPEN = 300;
    /** OpenJPA may still reference the last manager it served (its query caches): a leak would keep all of them. */
    private static final int KEPT = 2;

    @Test
    void entityManagersLeftOpenShouldBeCollected() throws Exception {
        Properties settings = new Properties();
        settings.setProperty("database.url", "jdbc:derby:memory:unclosed;create=true");
        DatabaseConfiguration configuration = DatabaseConfiguration.from(
            new StrictProperties(DatabaseConfiguration.FILE, settings), Path.of("/srv/postino/var"));
        EntityManagerFactory factory = Persistence.createEntityManagerFactory("Global", configuration.openJpaProperties());
        try {
            AbstractBrokerFactory brokers = (AbstractBrokerFactory) JPAFacadeHelper.toBrokerFactory(factory);
            long before = open(brokers);
            List<EntityManager> held = openAndUse(factory);
            // while referenced, all are there (the count is taken before letting go: a collection could run any time)
            assertThat(open(brokers)).isGreaterThanOrEqualTo(before + LEFT_OPEN);
            held.clear();

            long deadline = System.nanoTime() + 20_000_000_000L;
            while (open(brokers) > before + KEPT && System.nanoTime() < deadline) {
                System.gc();
                Thread.sleep(50);
            }

            assertThat(open(brokers)).isLessThanOrEqualTo(before + KEPT);
        } finally {
            factory.close();
        }
    }

    /** The factory's brokers still in memory (a weakly held one that was collected is listed as null until purged). */
    private static long open(AbstractBrokerFactory brokers) {
        return brokers.getOpenBrokers().stream().filter(Objects::nonNull).count();
    }

    /** Opens entity managers and runs a query in each (as a mapper would); none is closed. */
    private static List<EntityManager> openAndUse(EntityManagerFactory factory) {
        List<EntityManager> managers = new ArrayList<>();
        for (int i = 0; i < LEFT_OPEN; i++) {
            EntityManager manager = factory.createEntityManager();
            assertThat(manager.createNativeQuery("VALUES 1").getSingleResult()).isEqualTo(1);
            managers.add(manager);
        }
        return managers;
    }
}
