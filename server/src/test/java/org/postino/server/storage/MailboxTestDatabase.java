package org.postino.server.storage;

import java.util.List;
import java.util.Map;

import javax.persistence.EntityManager;
import javax.persistence.EntityManagerFactory;
import javax.persistence.Persistence;

import org.apache.james.backends.jpa.EntityManagerUtils;

/**
 * Postino's persistence unit on an in-memory Derby database, for tests of the JPA mailbox.
 * The tables are created by OpenJPA as in production (buildSchema), and emptied by {@link #clear}.
 */
final class MailboxTestDatabase {

    private static final List<String> TABLES = List.of(
        MessageIdTable.TABLE,
        "JAMES_MAIL_USERFLAG",
        "JAMES_MAIL_PROPERTY",
        "JAMES_MAIL",
        "JAMES_MAILBOX_ANNOTATION",
        "JAMES_SUBSCRIPTION",
        "JAMES_QUOTA_CURRENTQUOTA",
        "JAMES_MAILBOX");

    private MailboxTestDatabase() {
    }

    static EntityManagerFactory create(String name) {
        return Persistence.createEntityManagerFactory("Global", Map.of(
            "openjpa.ConnectionDriverName", "org.apache.derby.jdbc.EmbeddedDriver",
            "openjpa.ConnectionURL", "jdbc:derby:memory:" + name + ";create=true",
            "openjpa.Multithreaded", "true",
            "openjpa.Log", "slf4j"));
    }

    static void clear(EntityManagerFactory entityManagerFactory) {
        EntityManager manager = entityManagerFactory.createEntityManager();
        try {
            manager.getTransaction().begin();
            for (String table : TABLES) {
                manager.createNativeQuery("DELETE FROM " + table).executeUpdate();
            }
            manager.getTransaction().commit();
        } finally {
            if (manager.getTransaction().isActive()) {
                manager.getTransaction().rollback();
            }
            EntityManagerUtils.safelyClose(manager);
        }
    }
}
