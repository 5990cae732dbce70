package org.postino.extensions.search.text;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

import org.apache.james.mailbox.model.ContentType;

/**
 * Bytes of a text part to characters. A declared charset is honoured, except that a part declared UTF-8 or
 * US-ASCII (or declaring nothing, or something Java does not know) whose bytes are not valid UTF-8 is read as
 * ISO-8859-1: mislabelled Latin-1 is the common case, and ISO-8859-1 maps every byte.
 */
final class Charsets {
    private Charsets() {
    }

    /** The decoded text, and whether it stopped at the character cap. */
    record Decoded(String text, boolean capped) {
    }

    /** The charset parameter of a content type, if present and known to Java. */
    static Optional<Charset> declared(ContentType contentType) {
        if (contentType == null) {
            return Optional.empty();
        }
        try {
            return contentType.charset();
        } catch (RuntimeException unknownOrIllegalName) {
            return Optional.empty();
        }
    }

    /** Whether a declared charset can be trusted as is, rather than checked against the bytes. */
    static boolean trustedAsDeclared(Charset charset) {
        return !charset.equals(StandardCharsets.UTF_8) && !charset.equals(StandardCharsets.US_ASCII);
    }

    /**
     * @param complete false when the bytes are a prefix of the part (cut at the input cap), so that a character
     *                 cut in two at the end is not taken for invalid input
     */
    static Decoded decode(byte[] bytes, Optional<Charset> declared, boolean complete, int maxChars) {
        int bom = utf8BomLength(bytes);
        if (declared.isPresent() && trustedAsDeclared(declared.get())) {
            return decodeLeniently(bytes, 0, declared.get(), complete, maxChars);
        }
        if (declared.isEmpty()) {
            Optional<Charset> utf16 = utf16ByBom(bytes);
            if (utf16.isPresent()) {
                return decodeLeniently(bytes, 0, utf16.get(), complete, maxChars);
            }
        }
        return decodeStrictly(bytes, bom, StandardCharsets.UTF_8, complete, maxChars)
            .orElseGet(() -> decodeLeniently(bytes, 0, StandardCharsets.ISO_8859_1, complete, maxChars));
    }

    /** Whether the bytes are valid UTF-8 (a cut character at the end of an incomplete prefix allowed). */
    static boolean isUtf8(byte[] bytes, boolean complete) {
        return decodeStrictly(bytes, 0, StandardCharsets.UTF_8, complete, Integer.MAX_VALUE).isPresent();
    }

    static Optional<Decoded> decodeStrictly(byte[] bytes, int offset, Charset charset, boolean complete, int maxChars) {
        CharsetDecoder decoder = charset.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
        return run(decoder, bytes, offset, complete, maxChars);
    }

    static Decoded decodeLeniently(byte[] bytes, int offset, Charset charset, boolean complete, int maxChars) {
        CharsetDecoder decoder = charset.newDecoder()
            .onMalformedInput(CodingErrorAction.REPLACE)
            .onUnmappableCharacter(CodingErrorAction.REPLACE);
        return run(decoder, bytes, offset, complete, maxChars).orElseThrow();
    }

    private static Optional<Decoded> run(CharsetDecoder decoder, byte[] bytes, int offset, boolean complete, int maxChars) {
        ByteBuffer in = ByteBuffer.wrap(bytes, offset, bytes.length - offset);
        // no charset Java ships yields more characters than bytes, so this is room enough short of the cap
        CharBuffer out = CharBuffer.allocate(Math.min(maxChars, bytes.length - offset));
        CoderResult result = decoder.decode(in, out, complete);
        if (result.isError()) {
            return Optional.empty();
        }
        boolean capped = result.isOverflow();
        if (!capped && complete) {
            CoderResult flushed = decoder.flush(out);
            if (flushed.isError()) {
                return Optional.empty();
            }
            capped = flushed.isOverflow();
        }
        out.flip();
        return Optional.of(new Decoded(out.toString(), capped));
    }

    private static int utf8BomLength(byte[] bytes) {
        return bytes.length >= 3 && (bytes[0] & 0xFF) == 0xEF && (bytes[1] & 0xFF) == 0xBB && (bytes[2] & 0xFF) == 0xBF
            ? 3 : 0;
    }

    private static Optional<Charset> utf16ByBom(byte[] bytes) {
        if (bytes.length >= 2) {
            int first = bytes[0] & 0xFF;
            int second = bytes[1] & 0xFF;
            if ((first == 0xFE && second == 0xFF) || (first == 0xFF && second == 0xFE)) {
                return Optional.of(StandardCharsets.UTF_16);
            }
        }
        return Optional.empty();
    }
}
