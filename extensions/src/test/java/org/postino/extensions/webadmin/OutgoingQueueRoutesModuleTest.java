package org.postino.extensions.webadmin;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.util.Set;

import org.apache.james.queue.api.MailQueueFactory;
import org.apache.james.queue.api.ManageableMailQueue;
import org.apache.james.queue.api.RawMailQueueItemDecoratorFactory;
import org.apache.james.queue.memory.MemoryMailQueueFactory;
import org.apache.james.webadmin.Routes;
import org.apache.james.webadmin.utils.JsonTransformerModule;
import org.apache.mailet.MailetContext;
import org.apache.mailet.base.test.FakeMailContext;
import org.junit.jupiter.api.Test;

import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.TypeLiteral;
import com.google.inject.multibindings.Multibinder;

class OutgoingQueueRoutesModuleTest {

    /** What a James server with WebAdmin and a manageable mail queue binds. */
    private static final class JamesBindings extends AbstractModule {
        @Override
        protected void configure() {
            bind(new TypeLiteral<MailQueueFactory<? extends ManageableMailQueue>>() { })
                .toInstance(new MemoryMailQueueFactory(new RawMailQueueItemDecoratorFactory()));
            bind(Clock.class).toInstance(Clock.systemUTC());
            bind(org.apache.james.metrics.api.GaugeRegistry.class).toInstance(new org.apache.james.metrics.api.NoopGaugeRegistry());
            bind(MailetContext.class).toInstance(FakeMailContext.defaultContext());
            Multibinder.newSetBinder(binder(), JsonTransformerModule.class);
            Multibinder.newSetBinder(binder(), Routes.class);
        }
    }

    @Test
    void moduleShouldAddTheRoutesToWebAdmin() {
        Injector injector = Guice.createInjector(new JamesBindings(), new OutgoingQueueRoutesModule());

        Set<Routes> routes = injector.getInstance(Key.get(new TypeLiteral<Set<Routes>>() { }));

        assertThat(routes).hasSize(1).first().isInstanceOf(OutgoingQueueRoutes.class);
        assertThat(injector.getInstance(OutgoingQueue.class).name()).isEqualTo(OutgoingQueue.DEFAULT_NAME);
    }
}
