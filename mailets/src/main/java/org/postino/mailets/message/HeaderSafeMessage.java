package org.postino.mailets.message;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Enumeration;
import java.util.UUID;

import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;

import org.apache.james.server.core.MailHeaders;
import org.apache.james.server.core.MimeMessageInputStreamSource;
import org.apache.james.server.core.MimeMessageSource;
import org.apache.james.server.core.MimeMessageWrapper;

/**
 * James's {@link MimeMessageWrapper} (a message read from its received bytes) whose header edits never depend on,
 * nor alter, the body.
 *
 * <p>Two things James's wrapper does with any header change are unsafe for mail as it arrives from the Internet:
 * <ul>
 *   <li>{@code saveChanges()}, which James's own {@code writeTo} also calls after a header change, re-derives the
 *       MIME headers from the parsed structure (javax.mail's {@code updateHeaders}): it parses every
 *       {@code Content-Type} and every multipart, so a malformed parameter list or a multipart without its start
 *       boundary throws, and the mail goes to the error processor instead of the mailbox. Here, as long as the body
 *       was not replaced, {@code saveChanges()} keeps the received body and its MIME headers as they are and only
 *       marks the message saved.</li>
 *   <li>Header lines are written back as US-ASCII, so every raw 8-bit byte in a header (common in real mail, e.g.
 *       an unencoded Latin-1 {@code Subject}) becomes {@code ?}. Here they are written back as the bytes they were
 *       read from (javax.mail reads header bytes as ISO-8859-1; a line set by code with characters beyond U+00FF is
 *       written as UTF-8).</li>
 * </ul>
 * Until a header is changed the message is written exactly as received, byte for byte; after a header change,
 * the header lines (the unchanged ones as received) followed by the received body, byte for byte. A message whose
 * body is replaced ({@code setContent}, {@code setText}, ...) behaves as James's wrapper does.
 */
public class HeaderSafeMessage extends MimeMessageWrapper {

    private static final String[] NO_HEADERS = {};

    public HeaderSafeMessage(MimeMessageSource source) {
        super(source);
    }

    /** A header-safe copy of {@code message}'s bytes (see {@link MessageBytes#open}), kept in memory or a temporary file. */
    public static HeaderSafeMessage copyOf(MimeMessage message) throws MessagingException {
        return of(MessageBytes.open(message));
    }

    /** A header-safe message of the bytes of {@code in} (read to its end and closed), kept in memory or a temporary file. */
    public static HeaderSafeMessage of(InputStream in) throws MessagingException {
        return new HeaderSafeMessage(MimeMessageInputStreamSource.create("postino-" + UUID.randomUUID(), in));
    }

    /**
     * Called by {@code saveChanges()}. With the received body in place there is nothing to derive: its MIME headers
     * are the ones it came with. A replaced body gets javax.mail's usual treatment.
     */
    @Override
    protected void updateHeaders() throws MessagingException {
        if (isBodyModified() || source == null) {
            super.updateHeaders();
        }
    }

    @Override
    public void writeTo(OutputStream headerOs, OutputStream bodyOs, String[] ignoreList, boolean preLoad)
        throws IOException, MessagingException {
        if (!keepsReceivedBody() || preLoad) {
            super.writeTo(headerOs, bodyOs, ignoreList, preLoad);
            return;
        }
        String[] ignored = ignoreList == null ? NO_HEADERS : ignoreList;
        if (!isHeaderModified() && ignored.length == 0 && headerOs == bodyOs) {
            try (InputStream in = source.getInputStream()) {
                in.transferTo(headerOs);
            }
            return;
        }
        headerOs.write(HeaderLines.bytes(getNonMatchingHeaderLines(ignored)));
        try (InputStream body = receivedBody()) {
            body.transferTo(bodyOs);
        }
    }

    @Override
    public InputStream getMessageInputStream() throws MessagingException {
        if (!keepsReceivedBody()) {
            return super.getMessageInputStream();
        }
        try {
            if (!isHeaderModified()) {
                return source.getInputStream();
            }
            return new SequenceInputStream(new ByteArrayInputStream(HeaderLines.bytes(getAllHeaderLines())), receivedBody());
        } catch (IOException e) {
            throw new MessagingException("Unable to read the message", e);
        }
    }

    @Override
    public long getMessageSize() throws MessagingException {
        if (!keepsReceivedBody()) {
            return super.getMessageSize();
        }
        try {
            if (!isHeaderModified()) {
                return source.getMessageSize();
            }
            long receivedHeader;
            try (CountingInputStream in = new CountingInputStream(source.getInputStream())) {
                new MailHeaders(in);
                receivedHeader = in.count();
            }
            return source.getMessageSize() - receivedHeader + HeaderLines.bytes(getAllHeaderLines()).length;
        } catch (IOException e) {
            throw new MessagingException("Unable to compute the message size", e);
        }
    }

    private boolean keepsReceivedBody() {
        return source != null && !isBodyModified();
    }

    /** The received bytes after the header block, located the way the header lines were parsed. */
    private InputStream receivedBody() throws IOException, MessagingException {
        InputStream in = source.getInputStream();
        try {
            new MailHeaders(in);
            return in;
        } catch (MessagingException | RuntimeException e) {
            in.close();
            throw e;
        }
    }

    /** Header lines back to the bytes they were read from, each ended by CRLF, then the empty line. */
    static final class HeaderLines {

        private HeaderLines() {
        }

        static byte[] bytes(Enumeration<String> lines) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            while (lines.hasMoreElements()) {
                out.writeBytes(line(lines.nextElement()));
                out.write('\r');
                out.write('\n');
            }
            out.write('\r');
            out.write('\n');
            return out.toByteArray();
        }

        private static byte[] line(String line) {
            boolean wide = line.chars().anyMatch(c -> c > 0xFF);
            return line.getBytes(wide ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        }
    }

    /** Counts the bytes read, honouring mark and reset (javax.mail's line reader peeks after a CR). */
    static final class CountingInputStream extends FilterInputStream {

        private long count;
        private long mark;

        CountingInputStream(InputStream in) {
            super(in);
        }

        long count() {
            return count;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                count += n;
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long skipped = super.skip(n);
            count += skipped;
            return skipped;
        }

        @Override
        public synchronized void mark(int readlimit) {
            super.mark(readlimit);
            mark = count;
        }

        @Override
        public synchronized void reset() throws IOException {
            super.reset();
            count = mark;
        }
    }
}
