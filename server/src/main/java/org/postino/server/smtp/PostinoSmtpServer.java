package org.postino.server.smtp;

import org.apache.commons.configuration2.HierarchicalConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.commons.configuration2.tree.ImmutableNode;
import org.apache.james.protocols.api.ProtocolSession;
import org.apache.james.protocols.api.ProtocolTransport;
import org.apache.james.protocols.netty.ChannelHandlerFactory;
import org.apache.james.protocols.smtp.SMTPConfiguration;
import org.apache.james.protocols.smtp.SMTPProtocol;
import org.apache.james.smtpserver.ExtendedSMTPSession;
import org.apache.james.smtpserver.netty.SMTPServer;
import org.apache.james.smtpserver.netty.SmtpMetrics;

import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * James's SMTP listener with Postino's line framing: lines up to {@code maxLineLength} octets (default 512K,
 * {@link LineLimit}) are taken intact, a message with a longer line is refused with one reply after its end of data
 * ({@link PostinoSmtpChannelHandler}). James's own listener caps lines at 8,192 octets, answers {@code 500} in the
 * middle of DATA and then stores the message without the line.
 */
public class PostinoSmtpServer extends SMTPServer {

    private final SmtpMetrics metrics;
    private int maxLineLength = LineLimit.DEFAULT;
    private SMTPProtocol protocol;

    public PostinoSmtpServer(SmtpMetrics metrics) {
        super(metrics);
        this.metrics = metrics;
    }

    @Override
    public void doConfigure(HierarchicalConfiguration<ImmutableNode> configuration) throws ConfigurationException {
        super.doConfigure(configuration);
        try {
            maxLineLength = LineLimit.parse(configuration.getString(LineLimit.KEY, null));
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException(LineLimit.KEY + " '" + configuration.getString(LineLimit.KEY) + "': " + e.getMessage());
        }
    }

    /** The same protocol and sessions as James's listener; ours because James keeps its own private. */
    @Override
    protected void preInit() throws Exception {
        super.preInit();
        SMTPConfiguration configuration = new SMTPHandlerConfigurationDataImpl();
        protocol = new SMTPProtocol(getProtocolHandlerChain(), configuration) {
            @Override
            public ProtocolSession newSession(ProtocolTransport transport) {
                return new ExtendedSMTPSession(configuration, transport);
            }
        };
    }

    @Override
    protected ChannelHandlerFactory createFrameHandlerFactory() {
        int limit = maxLineLength;
        return pipeline -> new SmtpLineFramer(limit);
    }

    @Override
    protected ChannelInboundHandlerAdapter createCoreHandler() {
        return new PostinoSmtpChannelHandler(protocol, getEncryption(), proxyRequired, metrics, maxLineLength, false);
    }

    public int getMaxLineLength() {
        return maxLineLength;
    }
}
