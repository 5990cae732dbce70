package org.postino.server.charset;

import java.nio.charset.Charset;
import java.nio.charset.spi.CharsetProvider;
import java.util.Collections;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;

/**
 * Charset names that real mail declares but Java does not know, mapped to the charset they stand for, so that
 * whatever decodes such a message (James's scanning search, which otherwise logs an ERROR and skips the message on
 * every search; the search index's text extraction; javax.mail) reads it instead of failing. A JVM-wide
 * {@link CharsetProvider}, registered in {@code META-INF/services} of the server jar, consulted only for names Java
 * itself does not know.
 *
 * <ul>
 *   <li>Windows GDI font charset names written into {@code Content-Type} by some mailers ({@code DEFAULT_CHARSET},
 *       {@code GB2312_CHARSET}, {@code CHINESEBIG5_CHARSET}, ...; {@code CHINESEBIG5} too): the Windows code page
 *       each one means. {@code DEFAULT_CHARSET} (the sender's system code page) is read as windows-1252.</li>
 *   <li>{@code unknown-8bit} (RFC 1428), {@code x-unknown}, {@code unknown}: ISO-8859-1, which reads every byte as
 *       one character and so never fails.</li>
 * </ul>
 * The bytes of a message are never changed: this only decides how text is read from them.
 */
public final class MailCharsetAliases extends CharsetProvider {

    private static final Map<String, String> ALIASES = Map.ofEntries(
        Map.entry("default_charset", "windows-1252"),
        Map.entry("ansi_charset", "windows-1252"),
        Map.entry("easteurope_charset", "windows-1250"),
        Map.entry("russian_charset", "windows-1251"),
        Map.entry("greek_charset", "windows-1253"),
        Map.entry("turkish_charset", "windows-1254"),
        Map.entry("hebrew_charset", "windows-1255"),
        Map.entry("arabic_charset", "windows-1256"),
        Map.entry("baltic_charset", "windows-1257"),
        Map.entry("vietnamese_charset", "windows-1258"),
        Map.entry("thai_charset", "x-windows-874"),
        Map.entry("shiftjis_charset", "Shift_JIS"),
        Map.entry("hangeul_charset", "x-windows-949"),
        Map.entry("hangul_charset", "x-windows-949"),
        Map.entry("gb2312_charset", "GBK"),
        Map.entry("chinesebig5_charset", "Big5"),
        Map.entry("chinesebig5", "Big5"),
        Map.entry("unknown-8bit", "ISO-8859-1"),
        Map.entry("x-unknown", "ISO-8859-1"),
        Map.entry("unknown", "ISO-8859-1"));

    @Override
    public Iterator<Charset> charsets() {
        return Collections.emptyIterator();
    }

    @Override
    public Charset charsetForName(String charsetName) {
        String target = ALIASES.get(charsetName.trim().toLowerCase(Locale.ROOT));
        if (target == null) {
            return null;
        }
        try {
            return Charset.forName(target);
        } catch (IllegalArgumentException e) {
            // a JDK without its extended charsets (jdk.charsets): no alias then
            return null;
        }
    }
}
