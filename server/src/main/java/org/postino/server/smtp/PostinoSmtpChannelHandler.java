package org.postino.server.smtp;

import java.util.List;

import org.apache.james.core.MailAddress;
import org.apache.james.protocols.api.Protocol;
import org.apache.james.protocols.api.ProtocolSession;
import org.apache.james.protocols.api.ProtocolSessionImpl;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.netty.Encryption;
import org.apache.james.protocols.smtp.SMTPResponse;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.smtpserver.ExtendedSMTPSession;
import org.apache.james.smtpserver.netty.SMTPChannelInboundHandler;
import org.apache.james.smtpserver.netty.SmtpMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * James's SMTP connection handler, plus what to do with a line longer than {@code maxLineLength} (an
 * {@link OverlongLine} from {@link SmtpLineFramer}), in order with the lines around it:
 * <ul>
 *   <li>in a command: one reply, {@code 500 5.5.2}, and the session goes on;</li>
 *   <li>in the data of a message: nothing is answered then; the rest of the data is read and dropped, and the end
 *       of data gets one reply, {@code 552 5.3.4} (in LMTP one per recipient, as RFC 2033 wants). The message is
 *       not accepted (never stored without the line) and the client may start the next transaction at once.</li>
 * </ul>
 */
final class PostinoSmtpChannelHandler extends SMTPChannelInboundHandler {

    private static final Logger LOGGER = LoggerFactory.getLogger(PostinoSmtpChannelHandler.class);
    /** The longest overlong line of the message being received (octets). */
    static final ProtocolSession.AttachmentKey<Long> OVERLONG_LINE = ProtocolSession.AttachmentKey.of("postino.overlongLine", Long.class);

    private final int maxLineLength;
    private final boolean replyPerRecipient;
    /** Line handlers pushed by the session (DATA pushes one, AUTH too), to tell a command from data. */
    private int pushedLineHandlers;

    /**
     * @param encryption        null without TLS (LMTP)
     * @param replyPerRecipient true for LMTP: the end of data gets one reply per recipient
     */
    PostinoSmtpChannelHandler(Protocol protocol, Encryption encryption, boolean proxyRequired, SmtpMetrics metrics,
                              int maxLineLength, boolean replyPerRecipient) {
        super(protocol, encryption, proxyRequired, metrics);
        this.maxLineLength = maxLineLength;
        this.replyPerRecipient = replyPerRecipient;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        ProtocolSession session = (ProtocolSession) ctx.channel().attr(SESSION_ATTRIBUTE_KEY).get();
        if (msg instanceof OverlongLine) {
            overlongLine(session, (OverlongLine) msg);
            return;
        }
        if (msg instanceof ByteBuf && session != null && rejecting(session)) {
            ByteBuf line = (ByteBuf) msg;
            try {
                if (isEndOfData(line)) {
                    reject(session);
                }
            } finally {
                line.release();
            }
            return;
        }
        super.channelRead(ctx, msg);
    }

    @Override
    public void pushLineHandler(ChannelInboundHandlerAdapter lineHandlerUpstreamHandler) {
        super.pushLineHandler(lineHandlerUpstreamHandler);
        pushedLineHandlers++;
    }

    @Override
    public void popLineHandler() {
        super.popLineHandler();
        if (pushedLineHandlers > 0) {
            pushedLineHandlers--;
        }
    }

    private void overlongLine(ProtocolSession session, OverlongLine line) {
        if (session == null) {
            return;
        }
        if (receivingData(session)) {
            long longest = Math.max(line.octets(), session.getAttachment(OVERLONG_LINE, ProtocolSession.State.Transaction).orElse(0L));
            session.setAttachment(OVERLONG_LINE, longest, ProtocolSession.State.Transaction);
            return;
        }
        LOGGER.info("Line of {} octets refused (maxLineLength {})", line.octets(), maxLineLength);
        write(session, new SMTPResponse("500", "5.5.2 Line too long: " + line.octets() + " octets, the limit is "
            + maxLineLength));
    }

    /** In DATA: James's data line handler is on top (pushed by DATA) and the message is being written. */
    private boolean receivingData(ProtocolSession session) {
        return pushedLineHandlers > 0
            && session instanceof ExtendedSMTPSession
            && ((ExtendedSMTPSession) session).getMimeMessageWriter() != null;
    }

    private boolean rejecting(ProtocolSession session) {
        return receivingData(session) && session.getAttachment(OVERLONG_LINE, ProtocolSession.State.Transaction).isPresent();
    }

    /** The end of data, exactly {@code .CRLF} (a bare LF ends nothing: SMTP smuggling). */
    private static boolean isEndOfData(ByteBuf line) {
        int at = line.readerIndex();
        return line.readableBytes() == 3 && line.getByte(at) == '.' && line.getByte(at + 1) == '\r' && line.getByte(at + 2) == '\n';
    }

    private void reject(ProtocolSession session) {
        long longest = session.getAttachment(OVERLONG_LINE, ProtocolSession.State.Transaction).orElse(0L);
        List<MailAddress> recipients = session.getAttachment(SMTPSession.RCPT_LIST, ProtocolSession.State.Transaction)
            .orElse(List.of());
        LOGGER.info("Message from {} to {} refused: a line of {} octets, longer than maxLineLength {}",
            session.getAttachment(SMTPSession.SENDER, ProtocolSession.State.Transaction).map(Object::toString).orElse("?"),
            recipients, longest, maxLineLength);
        // As James ends a DATA its hooks refuse: back to commands, transaction and partial message thrown away.
        session.popLineHandler();
        session.resetState();
        int replies = replyPerRecipient ? Math.max(1, recipients.size()) : 1;
        for (int i = 0; i < replies; i++) {
            write(session, new SMTPResponse("552", "5.3.4 Message refused: it has a line of " + longest
                + " octets, longer than the limit of " + maxLineLength));
        }
    }

    private static void write(ProtocolSession session, Response response) {
        ((ProtocolSessionImpl) session).getProtocolTransport().writeResponse(response, session);
    }
}
