package org.postino.server;

import org.apache.james.modules.MailboxModule;
import org.apache.james.modules.MailetProcessingModule;
import org.apache.james.modules.mailbox.DefaultEventModule;
import org.apache.james.modules.mailbox.MemoryDeadLetterModule;
import org.apache.james.modules.protocols.IMAPServerModule;
import org.apache.james.modules.protocols.ManageSieveServerModule;
import org.apache.james.modules.protocols.POP3ServerModule;
import org.apache.james.modules.protocols.ProtocolHandlerModule;
import org.apache.james.modules.server.DataRoutesModules;
import org.apache.james.modules.server.MailQueueRoutesModule;
import org.apache.james.modules.server.MailRepositoriesRoutesModule;
import org.apache.james.modules.server.MailboxRoutesModule;
import org.apache.james.modules.server.SieveRoutesModule;
import org.apache.james.modules.server.TaskManagerModule;
import org.apache.james.modules.server.WebAdminServerModule;
import org.postino.server.queue.PriorityQueueModule;
import org.postino.server.smtp.PostinoSmtpModule;
import org.postino.server.storage.DatabaseConfiguration;
import org.postino.server.storage.JpaDataModule;
import org.postino.server.storage.JpaMailboxModule;

import com.google.inject.Module;
import com.google.inject.util.Modules;

/** The Guice modules that make up the Postino distribution: James's protocol and core modules, our storage and queue wiring. */
public final class PostinoModules {

    private PostinoModules() {
    }

    static Module webAdmin() {
        return Modules.combine(
            new WebAdminServerModule(),
            new DataRoutesModules(),
            new MailboxRoutesModule(),
            new MailQueueRoutesModule(),
            new org.postino.extensions.webadmin.OutgoingQueueRoutesModule(),
            new MailRepositoriesRoutesModule(),
            new SieveRoutesModule(),
            // GET /metrics: James's metrics (DropWizard) in the Prometheus text format, the outgoing queue's included.
            binder -> com.google.inject.multibindings.Multibinder.newSetBinder(binder, org.apache.james.webadmin.Routes.class)
                .addBinding().to(org.apache.james.webadmin.dropwizard.MetricsRoutes.class),
            // WebAdmin authenticates with its own JWT settings (webadmin.properties), never JMAP's
            binder -> { });
    }

    static Module protocols() {
        return Modules.combine(
            new ProtocolHandlerModule(),
            // James's SMTP and LMTP listeners with Postino's line framing (long lines intact up to maxLineLength)
            PostinoSmtpModule.smtp(),
            new IMAPServerModule(),
            new POP3ServerModule(),
            PostinoSmtpModule.lmtp(),
            new ManageSieveServerModule());
    }

    static Module core(DatabaseConfiguration database) {
        return Modules.combine(
            new MailetProcessingModule(),
            binder -> binder.bind(org.apache.james.user.api.DelegationStore.class).to(org.postino.server.storage.NoDelegationStore.class),
            new MailboxModule(),
            new DefaultEventModule(),
            new MemoryDeadLetterModule(),
            new TaskManagerModule(),
            new JpaDataModule(database),
            new JpaMailboxModule(),
            new PriorityQueueModule());
    }

    /**
     * @param jmap James's JMAP with Postino's listener and data ({@code JmapModules}); it also supplies the mail queue's
     *             post-dequeue step and the mailet container's fallback configuration, which {@link #core} leaves out
     */
    public static Module all(DatabaseConfiguration database, Module search, Module jmap) {
        return Modules.combine(core(database), search, protocols(), webAdmin(), jmap);
    }
}
