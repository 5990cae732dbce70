package org.postino.server.smtp;

import org.apache.james.lmtpserver.netty.LMTPServerFactory;
import org.apache.james.modules.protocols.LMTPServerModule;
import org.apache.james.modules.protocols.SMTPServerModule;
import org.apache.james.smtpserver.netty.SMTPServerFactory;

import com.google.inject.AbstractModule;
import com.google.inject.Module;
import com.google.inject.Scopes;
import com.google.inject.util.Modules;

/**
 * James's SMTP and LMTP modules with Postino's listeners ({@link PostinoSmtpServer}, {@link PostinoLmtpServer}) in
 * place of James's.
 */
public final class PostinoSmtpModule {

    private PostinoSmtpModule() {
    }

    public static Module smtp() {
        return Modules.override(new SMTPServerModule()).with(new AbstractModule() {
            @Override
            protected void configure() {
                bind(PostinoSmtpServerFactory.class).in(Scopes.SINGLETON);
                bind(SMTPServerFactory.class).to(PostinoSmtpServerFactory.class);
            }
        });
    }

    public static Module lmtp() {
        return Modules.override(new LMTPServerModule()).with(new AbstractModule() {
            @Override
            protected void configure() {
                bind(PostinoLmtpServerFactory.class).in(Scopes.SINGLETON);
                bind(LMTPServerFactory.class).to(PostinoLmtpServerFactory.class);
            }
        });
    }
}
