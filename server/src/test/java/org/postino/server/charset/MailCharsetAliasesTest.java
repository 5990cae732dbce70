package org.postino.server.charset;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.apache.james.mime4j.utils.search.MessageMatcher;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class MailCharsetAliasesTest {

    @ParameterizedTest
    @CsvSource({"DEFAULT_CHARSET, windows-1252", "default_charset, windows-1252", "GB2312_CHARSET, GBK",
        "CHINESEBIG5, Big5", "CHINESEBIG5_CHARSET, Big5", "unknown-8bit, ISO-8859-1", "RUSSIAN_CHARSET, windows-1251"})
    void javaFindsTheCharsetsMailNamesThatWay(String name, String charset) {
        assertThat(Charset.isSupported(name)).isTrue();
        assertThat(Charset.forName(name)).isEqualTo(Charset.forName(charset));
    }

    @ParameterizedTest
    @ValueSource(strings = {"no-such-charset", "utf-9"})
    void otherUnknownNamesStayUnknown(String name) {
        assertThat(new MailCharsetAliases().charsetForName(name)).isNull();
        assertThat(Charset.isSupported(name)).isFalse();
    }

    /** What James's scanning search runs for BODY and TEXT: it threw UnsupportedEncodingException on these. */
    @ParameterizedTest
    @ValueSource(strings = {"DEFAULT_CHARSET", "unknown-8bit", "GB2312_CHARSET", "CHINESEBIG5"})
    void theScanningSearchMatcherReadsMessagesInThoseCharsets(String charset) throws Exception {
        byte[] message = ("From: a@example.org\r\nSubject: s\r\nMIME-Version: 1.0\r\n"
            + "Content-Type: text/plain; charset=\"" + charset + "\"\r\n\r\nthe needle is here\r\n")
            .getBytes(StandardCharsets.US_ASCII);

        boolean found = MessageMatcher.builder().searchContents(List.of("needle")).includeHeaders(false).build()
            .messageMatches(new ByteArrayInputStream(message));

        assertThat(found).isTrue();
    }
}
