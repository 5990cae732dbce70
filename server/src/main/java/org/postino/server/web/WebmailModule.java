package org.postino.server.web;

import java.net.URI;
import java.util.Optional;

import org.apache.james.jmap.JMAPRoutes;

import com.google.inject.AbstractModule;
import com.google.inject.Scopes;
import com.google.inject.multibindings.Multibinder;

/**
 * The webmail's server side on the JMAP listener: its routes (static files, session API, message rendering) and the
 * session store the {@link CookieAuthenticationStrategy} reads (James instantiates that strategy by name from
 * {@code authentication.strategy.rfc8621}, see {@code JmapModules}).
 */
public class WebmailModule extends AbstractModule {

    private final Optional<URI> publicAddress;

    public WebmailModule(Optional<URI> publicAddress) {
        this.publicAddress = publicAddress;
    }

    @Override
    protected void configure() {
        bind(WebSessionStore.class).in(Scopes.SINGLETON);
        bind(WebLogin.class).in(Scopes.SINGLETON);
        bind(WebmailStaticFiles.class).in(Scopes.SINGLETON);
        bind(SameOrigin.class).toInstance(new SameOrigin(publicAddress));
        bind(CookieAuthenticationStrategy.class).in(Scopes.SINGLETON);
        bind(WebmailRoutes.class).in(Scopes.SINGLETON);
        Multibinder.newSetBinder(binder(), JMAPRoutes.class).addBinding().to(WebmailRoutes.class);
    }
}
