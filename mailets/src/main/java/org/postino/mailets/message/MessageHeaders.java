package org.postino.mailets.message;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;

import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;

import org.apache.james.lifecycle.api.LifecycleUtil;
import org.apache.james.server.core.MailImpl;
import org.apache.mailet.Mail;

/**
 * Header edits by Postino's mailets that never look at the body: a field is written in front of the message's
 * bytes, which stay as they are (the body byte for byte, the other header lines too), and the mail then carries a
 * {@link HeaderSafeMessage}, so later header edits by other mailets (James's {@code LocalDelivery} sets
 * {@code Return-Path}, {@code RemoveMimeHeader} calls {@code saveChanges()}) cannot fail on a malformed MIME
 * structure either.
 */
public final class MessageHeaders {

    private MessageHeaders() {
    }

    /**
     * Makes {@code name: value} the only field of that name: any field of that name is removed and the new one
     * written at the top of the header, the way a mail server adds its trace fields.
     *
     * @param name  a field name (printable US-ASCII, no colon)
     * @param value a value of printable US-ASCII, spaces and tabs (no line breaks)
     */
    public static void set(Mail mail, String name, String value) throws MessagingException {
        checkName(name);
        checkValue(value);
        MimeMessage current = mail.getMessage();
        HeaderSafeMessage withoutField = null;
        try {
            InputStream rest;
            if (current.getHeader(name) != null) {
                withoutField = HeaderSafeMessage.copyOf(current);
                withoutField.removeHeader(name);
                rest = withoutField.getMessageInputStream();
            } else {
                rest = MessageBytes.open(current);
            }
            byte[] field = (name + ": " + value + "\r\n").getBytes(StandardCharsets.US_ASCII);
            install(mail, HeaderSafeMessage.of(new SequenceInputStream(new ByteArrayInputStream(field), rest)));
        } finally {
            LifecycleUtil.dispose(withoutField);
        }
    }

    /** Gives the mail {@code message} as it is (James's {@code MailImpl.setMessage} would copy it once more). */
    private static void install(Mail mail, HeaderSafeMessage message) throws MessagingException {
        if (mail instanceof MailImpl) {
            ((MailImpl) mail).setMessageNoCopy(message);
        } else {
            mail.setMessage(message);
        }
    }

    private static void checkName(String name) {
        if (name == null || name.isEmpty() || !name.chars().allMatch(c -> c > 32 && c < 127 && c != ':')) {
            throw new IllegalArgumentException("not a header field name: '" + name + "'");
        }
    }

    private static void checkValue(String value) {
        if (value == null || !value.chars().allMatch(c -> (c >= 32 && c < 127) || c == '\t')) {
            throw new IllegalArgumentException("not a header field value of printable US-ASCII on one line: '" + value + "'");
        }
    }
}
