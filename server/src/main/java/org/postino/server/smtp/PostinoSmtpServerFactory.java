package org.postino.server.smtp;

import javax.inject.Inject;

import org.apache.james.dnsservice.api.DNSService;
import org.apache.james.filesystem.api.FileSystem;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.protocols.lib.handler.ProtocolHandlerLoader;
import org.apache.james.smtpserver.netty.SMTPServer;
import org.apache.james.smtpserver.netty.SMTPServerFactory;

/** Builds {@link PostinoSmtpServer}s for the listeners of {@code smtpserver.xml}. */
public class PostinoSmtpServerFactory extends SMTPServerFactory {

    @Inject
    public PostinoSmtpServerFactory(DNSService dns, ProtocolHandlerLoader loader, FileSystem fileSystem, MetricFactory metricFactory) {
        super(dns, loader, fileSystem, metricFactory);
    }

    @Override
    protected SMTPServer createServer() {
        return new PostinoSmtpServer(smtpMetrics);
    }
}
