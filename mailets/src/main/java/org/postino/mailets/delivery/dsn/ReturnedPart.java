package org.postino.mailets.delivery.dsn;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;

import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;
import javax.mail.internet.MimeUtility;

import org.postino.mailets.message.MessageBytes;

/**
 * The third part of a notice: the original header as {@code text/rfc822-headers} or the whole original as
 * {@code message/rfc822} (RFC 6522 §4, RFC 3462). Headers that carry raw 8-bit text are sent quoted-printable (a
 * {@code text/*} part may be); a whole message with 8-bit content can only be declared {@code 8bit}, since a
 * {@code message/rfc822} part may not be encoded (RFC 2046 §5.2.1).
 */
final class ReturnedPart {

    private final String contentType;
    private final String transferEncoding;
    private final byte[] content;

    private ReturnedPart(String contentType, String transferEncoding, byte[] content) {
        this.contentType = contentType;
        this.transferEncoding = transferEncoding;
        this.content = content;
    }

    static ReturnedPart of(MimeMessage original, ReturnContent returnContent) throws MessagingException {
        try {
            return returnContent == ReturnContent.FULL ? full(original) : headers(original);
        } catch (IOException e) {
            throw new MessagingException("cannot read the original message", e);
        }
    }

    private static ReturnedPart full(MimeMessage original) throws IOException, MessagingException {
        byte[] bytes = MessageBytes.toByteArray(original);
        return new ReturnedPart("message/rfc822", isSevenBit(bytes) ? "7bit" : "8bit", bytes);
    }

    private static ReturnedPart headers(MimeMessage original) throws IOException, MessagingException {
        StringBuilder header = new StringBuilder();
        for (String line : Collections.list(original.getAllHeaderLines())) {
            header.append(line).append(HeaderFields.CRLF);
        }
        // javax.mail reads header bytes as ISO-8859-1, or as UTF-8 with mail.mime.allowutf8: give the bytes back.
        String text = header.toString();
        boolean wide = text.chars().anyMatch(c -> c > 0xFF);
        byte[] bytes = text.getBytes(wide ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        if (isSevenBit(bytes)) {
            return new ReturnedPart("text/rfc822-headers", "7bit", bytes);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (var encoder = MimeUtility.encode(out, "quoted-printable")) {
            encoder.write(bytes);
        }
        return new ReturnedPart("text/rfc822-headers", "quoted-printable", out.toByteArray());
    }

    private static boolean isSevenBit(byte[] bytes) {
        for (byte b : bytes) {
            if (b < 0) {
                return false;
            }
        }
        return true;
    }

    String contentType() {
        return contentType;
    }

    String transferEncoding() {
        return transferEncoding;
    }

    boolean isEightBit() {
        return "8bit".equals(transferEncoding);
    }

    /** Already encoded for the wire. */
    byte[] content() {
        return content.clone();
    }
}
