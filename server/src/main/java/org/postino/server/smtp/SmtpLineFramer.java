package org.postino.server.smtp;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

import org.apache.james.protocols.api.CommandDetectionSession;
import org.apache.james.protocols.netty.BasicChannelInboundHandler;
import org.apache.james.protocols.netty.CommandInjectionDetectedException;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.AttributeKey;

/**
 * Cuts what an SMTP client sends into lines, each with its line break, as James's own framer does; but lines longer
 * than James's fixed 8,192 octets are passed on whole up to {@code maxLineLength} ({@link LineLimit}), and a longer
 * line is not passed on at all: its octets are dropped as they arrive (so it costs no memory) and an
 * {@link OverlongLine} goes up in its place, in order with the other lines. James's framer instead drops the line
 * and fires an exception that makes the server answer {@code 500} at once, also in the middle of DATA, and then
 * store the message without that line.
 *
 * <p>For SMTP, like James's framer (protocols-netty {@code AllButStartTlsLineBasedChannelHandler}), while the
 * session checks for command injection it refuses input that pipelines anything with {@code STARTTLS} or follows it
 * before TLS is up (CVE-2021-38542). LMTP has no STARTTLS and no such check, as with James's LMTP framer.
 */
final class SmtpLineFramer extends ByteToMessageDecoder {

    private static final AttributeKey<CommandDetectionSession> SESSION = BasicChannelInboundHandler.SESSION_ATTRIBUTE_KEY;
    private static final AttributeKey<Boolean> STARTTLS_IN_FLIGHT = AttributeKey.valueOf("postino.startTlsInFlight");
    private static final String STARTTLS = "starttls";

    private final int maxLineLength;
    private final boolean refuseStartTlsInjection;
    /** Octets of an overlong line dropped so far, while waiting for its end. */
    private long dropped;
    private boolean dropping;
    /** Octets after the reader index already searched for a line feed. */
    private int searched;

    /** For SMTP: refuses STARTTLS command injection. */
    SmtpLineFramer(int maxLineLength) {
        this(maxLineLength, true);
    }

    /** @param refuseStartTlsInjection false for LMTP, which has no STARTTLS (as James's LMTP framer) */
    SmtpLineFramer(int maxLineLength, boolean refuseStartTlsInjection) {
        this.maxLineLength = maxLineLength;
        this.refuseStartTlsInjection = refuseStartTlsInjection;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (refuseStartTlsInjection) {
            refuseCommandInjection(ctx, in);
        }
        while (in.isReadable()) {
            int start = in.readerIndex();
            int lineFeed = in.indexOf(start + searched, in.writerIndex(), (byte) '\n');
            if (lineFeed < 0) {
                int readable = in.readableBytes();
                // A line's CR may be the last octet so far: only more than the limit plus one is certainly too long.
                if (dropping || readable > maxLineLength + 1) {
                    dropping = true;
                    dropped += readable;
                    in.skipBytes(readable);
                    searched = 0;
                } else {
                    searched = readable;
                }
                return;
            }
            int frame = lineFeed - start + 1;
            searched = 0;
            boolean crlf = lineFeed > start && in.getByte(lineFeed - 1) == '\r';
            if (dropping || frame - (crlf ? 2 : 1) > maxLineLength) {
                long octets = dropped + frame;
                in.skipBytes(frame);
                dropping = false;
                dropped = 0;
                out.add(new OverlongLine(octets));
            } else {
                out.add(in.readRetainedSlice(frame));
            }
        }
    }

    private void refuseCommandInjection(ChannelHandlerContext ctx, ByteBuf in) {
        CommandDetectionSession session = ctx.channel().attr(SESSION).get();
        if (session != null && !session.needsCommandInjectionDetection()) {
            return;
        }
        String[] lines = in.toString(StandardCharsets.US_ASCII).trim().toLowerCase(Locale.US).split("[\r\n]+");
        boolean startTls = false;
        boolean injected = false;
        int count = 0;
        for (String line : lines) {
            if (line.isEmpty()) {
                continue;
            }
            count++;
            if (line.startsWith(STARTTLS)) {
                startTls = true;
                injected |= !line.endsWith(STARTTLS);
            }
        }
        injected |= startTls && count > 1;
        if (injected || Boolean.TRUE.equals(ctx.channel().attr(STARTTLS_IN_FLIGHT).get())) {
            throw new CommandInjectionDetectedException();
        }
        for (String line : lines) {
            if (line.equals(STARTTLS)) {
                ctx.channel().attr(STARTTLS_IN_FLIGHT).set(true);
            }
        }
    }
}
