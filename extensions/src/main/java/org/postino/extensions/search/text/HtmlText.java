package org.postino.extensions.search.text;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;

/**
 * The text a reader sees in an HTML part, by jsoup: no markup, comments, scripts, styles, head (title included)
 * or templates; entities decoded; white space collapsed.
 *
 * <p>Charset: the one the part declares; without one, a byte order mark or a {@code <meta>} charset, else UTF-8
 * when the bytes are valid UTF-8, else ISO-8859-1. A part declared UTF-8 or US-ASCII whose bytes are not UTF-8
 * is read as ISO-8859-1 too.
 */
final class HtmlText {
    private static final String NO_BASE_URI = "";
    private static final String INVISIBLE = "head, script, style, title, template";

    private HtmlText() {
    }

    static void extract(byte[] bytes, boolean complete, Optional<Charset> declared, Extraction extraction) throws IOException {
        Document document = parse(bytes, complete, declared);
        document.select(INVISIBLE).remove();
        extraction.checkDeadline();
        extraction.append(document.text());
    }

    private static Document parse(byte[] bytes, boolean complete, Optional<Charset> declared) throws IOException {
        if (declared.isPresent() && Charsets.trustedAsDeclared(declared.get())) {
            return Jsoup.parse(new ByteArrayInputStream(bytes), declared.get().name(), NO_BASE_URI);
        }
        boolean utf8 = Charsets.isUtf8(bytes, complete);
        if (declared.isPresent()) {
            return parse(bytes, utf8 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        }
        // jsoup looks for a byte order mark, then a <meta> charset, and falls back to UTF-8
        Document sniffed = Jsoup.parse(new ByteArrayInputStream(bytes), null, NO_BASE_URI);
        if (!utf8 && sniffed.charset().equals(StandardCharsets.UTF_8)) {
            return parse(bytes, StandardCharsets.ISO_8859_1);
        }
        return sniffed;
    }

    private static Document parse(byte[] bytes, Charset charset) throws IOException {
        return Jsoup.parse(new ByteArrayInputStream(bytes), charset.name(), NO_BASE_URI);
    }
}
