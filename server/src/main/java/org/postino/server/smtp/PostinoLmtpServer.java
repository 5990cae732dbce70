package org.postino.server.smtp;

import java.util.Optional;

import org.apache.commons.configuration2.HierarchicalConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.commons.configuration2.tree.ImmutableNode;
import org.apache.james.lmtpserver.netty.LMTPMetricsImpl;
import org.apache.james.lmtpserver.netty.LMTPServer;
import org.apache.james.protocols.api.OidcSASLConfiguration;
import org.apache.james.protocols.api.ProtocolSession;
import org.apache.james.protocols.api.ProtocolTransport;
import org.apache.james.protocols.lmtp.LMTPConfiguration;
import org.apache.james.protocols.netty.ChannelHandlerFactory;
import org.apache.james.protocols.smtp.SMTPProtocol;
import org.apache.james.smtpserver.ExtendedSMTPSession;

import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * James's LMTP listener with the SMTP listener's line framing ({@link PostinoSmtpServer}): lines up to
 * {@code maxLineLength} intact, a message with a longer line refused after its end of data, one {@code 552 5.3.4}
 * per recipient. James's own LMTP listener has the same fixed 8,192-octet cap as its SMTP one.
 */
public class PostinoLmtpServer extends LMTPServer {

    private final LMTPMetricsImpl metrics;
    private final LMTPConfiguration configuration = new Configuration();
    private int maxLineLength = LineLimit.DEFAULT;

    public PostinoLmtpServer(LMTPMetricsImpl metrics) {
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

    @Override
    protected ChannelHandlerFactory createFrameHandlerFactory() {
        int limit = maxLineLength;
        return pipeline -> new SmtpLineFramer(limit, false);
    }

    /** The protocol and sessions James's LMTP listener makes, with our handler (James keeps its configuration private). */
    @Override
    protected ChannelInboundHandlerAdapter createCoreHandler() {
        SMTPProtocol protocol = new SMTPProtocol(getProtocolHandlerChain(), configuration) {
            @Override
            public ProtocolSession newSession(ProtocolTransport transport) {
                return new ExtendedSMTPSession(configuration, transport);
            }
        };
        return new PostinoSmtpChannelHandler(protocol, null, false, metrics, maxLineLength, true);
    }

    public int getMaxLineLength() {
        return maxLineLength;
    }

    /** What James's LMTPServer.LMTPConfigurationImpl answers, from the listener's own settings. */
    private final class Configuration extends LMTPConfiguration {

        Configuration() {
            super("JAMES Protocols Server");
        }

        @Override
        public String getHelloName() {
            return PostinoLmtpServer.this.getHelloName();
        }

        @Override
        public long getMaxMessageSize() {
            return PostinoLmtpServer.this.getMaximalMessageSize();
        }

        @Override
        public boolean isPlainAuthEnabled() {
            return false;
        }

        @Override
        public Optional<OidcSASLConfiguration> saslConfiguration() {
            return Optional.empty();
        }
    }
}
