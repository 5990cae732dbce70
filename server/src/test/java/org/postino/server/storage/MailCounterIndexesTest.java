package org.postino.server.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.util.Set;

import javax.persistence.EntityManager;
import javax.persistence.EntityManagerFactory;

import org.apache.james.backends.jpa.EntityManagerUtils;
import org.apache.openjpa.persistence.OpenJPAPersistence;
import org.junit.jupiter.api.Test;

/** The (mailbox, flag, uid) indexes that STATUS, SELECT and Mailbox/get counters read are created once, at start. */
class MailCounterIndexesTest {
    private static final EntityManagerFactory DATABASE = MailboxTestDatabase.create("counterIndexes");

    @Test
    void indexesAreCreatedOnceAndAStartWithThemInPlaceKeepsThem() throws Exception {
        // James's tables are created by OpenJPA when an entity manager first touches the schema
        EntityManager touch = DATABASE.createEntityManager();
        touch.createQuery("SELECT COUNT(m) FROM MailboxMessage m").getSingleResult();
        EntityManagerUtils.safelyClose(touch);
        assertThat(indexNames()).doesNotContain("POSTINO_MAIL_SEEN_IDX", "POSTINO_MAIL_RECENT_IDX");

        MailCounterIndexes.createIfMissing(DATABASE);
        assertThat(indexNames()).contains("POSTINO_MAIL_SEEN_IDX", "POSTINO_MAIL_RECENT_IDX");

        // the next start finds them and creates nothing (a second CREATE INDEX would fail)
        MailCounterIndexes.createIfMissing(DATABASE);
        assertThat(indexNames()).contains("POSTINO_MAIL_SEEN_IDX", "POSTINO_MAIL_RECENT_IDX");
    }

    private static Set<String> indexNames() throws Exception {
        EntityManager manager = DATABASE.createEntityManager();
        try (Connection connection = (Connection) OpenJPAPersistence.cast(manager).getConnection()) {
            return MailCounterIndexes.indexNames(connection);
        } finally {
            EntityManagerUtils.safelyClose(manager);
        }
    }
}
