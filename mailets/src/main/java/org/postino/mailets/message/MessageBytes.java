package org.postino.mailets.message;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;

import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;

import org.apache.james.server.core.MimeMessageWrapper;

/**
 * The bytes of a message as the pipeline holds it, without re-deriving anything from its MIME structure and without
 * turning raw 8-bit header bytes into {@code ?} (which James's {@code MimeMessageWrapper.writeTo} does).
 *
 * <ul>
 *   <li>{@link HeaderSafeMessage}: its own exact bytes.</li>
 *   <li>James's {@link MimeMessageWrapper} with its body as received: the received bytes when nothing was changed
 *       and nothing parsed; otherwise its header lines, in the bytes they were read from, then the received
 *       body.</li>
 *   <li>Anything else (a message built or given a new body in memory): javax.mail's {@code writeTo}.</li>
 * </ul>
 */
public final class MessageBytes {

    private MessageBytes() {
    }

    /** The message's bytes; the caller closes the stream. */
    public static InputStream open(MimeMessage message) throws MessagingException {
        if (message instanceof HeaderSafeMessage) {
            return ((HeaderSafeMessage) message).getMessageInputStream();
        }
        if (message instanceof MimeMessageWrapper) {
            MimeMessageWrapper wrapper = (MimeMessageWrapper) message;
            if (!wrapper.isModified()) {
                InputStream in = wrapper.getMessageInputStream();
                // Unparsed and unchanged, James hands out the source itself; once parsed, its header lines re-written
                // as US-ASCII followed by the body (a SequenceInputStream), which the branch below does faithfully.
                if (!(in instanceof SequenceInputStream)) {
                    return in;
                }
                closeQuietly(in);
            }
            if (!wrapper.isBodyModified()) {
                byte[] header = HeaderSafeMessage.HeaderLines.bytes(wrapper.getAllHeaderLines());
                return new SequenceInputStream(new ByteArrayInputStream(header), wrapper.getRawInputStream());
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            message.writeTo(out);
        } catch (IOException e) {
            throw new MessagingException("Unable to write the message", e);
        }
        return new ByteArrayInputStream(out.toByteArray());
    }

    public static byte[] toByteArray(MimeMessage message) throws MessagingException {
        try (InputStream in = open(message)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new MessagingException("Unable to read the message", e);
        }
    }

    public static void writeTo(MimeMessage message, OutputStream out) throws MessagingException, IOException {
        try (InputStream in = open(message)) {
            in.transferTo(out);
        }
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException e) {
            // a stream over the source: nothing to lose
        }
    }
}
