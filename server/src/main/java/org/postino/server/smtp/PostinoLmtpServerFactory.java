package org.postino.server.smtp;

import javax.inject.Inject;

import org.apache.james.filesystem.api.FileSystem;
import org.apache.james.lmtpserver.netty.LMTPServer;
import org.apache.james.lmtpserver.netty.LMTPServerFactory;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.protocols.lib.handler.ProtocolHandlerLoader;

/** Builds {@link PostinoLmtpServer}s for the listeners of {@code lmtpserver.xml}. */
public class PostinoLmtpServerFactory extends LMTPServerFactory {

    @Inject
    public PostinoLmtpServerFactory(ProtocolHandlerLoader loader, FileSystem fileSystem, MetricFactory metricFactory) {
        super(loader, fileSystem, metricFactory);
    }

    @Override
    protected LMTPServer createServer() {
        return new PostinoLmtpServer(lmtpMetrics);
    }
}
