package org.postino.mailets.message;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;

import javax.mail.MessagingException;
import javax.mail.Session;
import javax.mail.internet.MimeMessage;

import org.apache.james.server.core.MailImpl;
import org.apache.james.server.core.MimeMessageSource;
import org.apache.james.server.core.MimeMessageWrapper;

/**
 * Hand-made messages under src/test/resources/malformed/ in the shapes of real mail that javax.mail cannot save
 * again (found in the SpamAssassin corpus), and mails holding them the way James's queue hands them out.
 */
public final class Malformed {

    /** Each of these makes javax.mail's saveChanges() throw. */
    public static final List<String> UNSAVABLE = List.of(
        "broken-content-type-parameters.eml",
        "unbalanced-quote.eml",
        "missing-start-boundary.eml",
        "eight-bit-headers.eml");

    public static final String EIGHT_BIT_HEADERS = "eight-bit-headers.eml";

    private Malformed() {
    }

    public static byte[] bytes(String fixture) {
        try (InputStream in = Malformed.class.getResourceAsStream("/malformed/" + fixture)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + fixture);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A mail as James's queue hands it out: a {@link MimeMessageWrapper} over the received bytes. */
    public static MailImpl queued(String name, byte[] raw) throws MessagingException {
        MailImpl mail = MailImpl.builder().name(name).addRecipient("alice@example.com").build();
        mail.setMessageNoCopy(new MimeMessageWrapper(source(raw)));
        return mail;
    }

    public static MimeMessageSource source(byte[] raw) {
        return new MimeMessageSource() {
            @Override
            public String getSourceId() {
                return "test";
            }

            @Override
            public InputStream getInputStream() {
                return new ByteArrayInputStream(raw);
            }

            @Override
            public long getMessageSize() {
                return raw.length;
            }
        };
    }

    /** What the failing benchmark check (and AddQueueIdHeader before) did: setHeader, then saveChanges. */
    public static void saveAgainWithJavaxMail(byte[] raw) throws MessagingException {
        MimeMessage message = new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(raw));
        message.setHeader("X-Check", "1");
        message.saveChanges();
    }

    /** The bytes after the first empty line (CRLF CRLF). */
    public static byte[] body(byte[] message) {
        int end = headerEnd(message);
        return Arrays.copyOfRange(message, end, message.length);
    }

    /** The header block, up to and including the empty line. */
    public static byte[] header(byte[] message) {
        return Arrays.copyOfRange(message, 0, headerEnd(message));
    }

    private static int headerEnd(byte[] message) {
        for (int i = 0; i + 3 < message.length; i++) {
            if (message[i] == '\r' && message[i + 1] == '\n' && message[i + 2] == '\r' && message[i + 3] == '\n') {
                return i + 4;
            }
        }
        throw new IllegalArgumentException("no empty line in the message");
    }

    public static byte[] concat(byte[] first, byte[] second) {
        byte[] all = Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, all, first.length, second.length);
        return all;
    }
}
