package org.postino.server.smtp;

import org.apache.james.modules.protocols.SMTPServerModule;
import org.apache.james.smtpserver.netty.SMTPServerFactory;

import com.google.inject.AbstractModule;
import com.google.inject.Module;
import com.google.inject.Scopes;
import com.google.inject.util.Modules;

/** James's SMTP module with Postino's listener ({@link PostinoSmtpServer}) in place of James's. */
public final class PostinoSmtpModule extends AbstractModule {

    public static Module smtp() {
        return Modules.override(new SMTPServerModule()).with(new PostinoSmtpModule());
    }

    @Override
    protected void configure() {
        bind(PostinoSmtpServerFactory.class).in(Scopes.SINGLETON);
        bind(SMTPServerFactory.class).to(PostinoSmtpServerFactory.class);
    }
}
