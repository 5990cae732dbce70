package org.postino.mailets.message;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import org.apache.james.core.builder.MimeMessageBuilder;
import org.apache.james.server.core.MimeMessageWrapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class MessageBytesTest {

    static Iterable<String> fixtures() {
        return Malformed.UNSAVABLE;
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void anUnchangedJamesMessageIsItsReceivedBytes(String fixture) throws Exception {
        byte[] raw = Malformed.bytes(fixture);

        assertThat(MessageBytes.toByteArray(new MimeMessageWrapper(Malformed.source(raw)))).isEqualTo(raw);
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void aParsedJamesMessageIsStillItsReceivedBytes(String fixture) throws Exception {
        byte[] raw = Malformed.bytes(fixture);
        MimeMessageWrapper message = new MimeMessageWrapper(Malformed.source(raw));
        message.loadMessage();

        assertThat(MessageBytes.toByteArray(message)).isEqualTo(raw);
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void aJamesMessageWithAChangedHeaderKeepsItsBodyAndHeaderBytes(String fixture) throws Exception {
        byte[] raw = Malformed.bytes(fixture);
        MimeMessageWrapper message = new MimeMessageWrapper(Malformed.source(raw));
        message.addHeader("X-Added", "yes");

        byte[] bytes = MessageBytes.toByteArray(message);

        assertThat(Malformed.body(bytes)).isEqualTo(Malformed.body(raw));
        String header = new String(Malformed.header(bytes), StandardCharsets.ISO_8859_1);
        assertThat(header).contains("X-Added: yes\r\n");
        assertThat(header.replace("X-Added: yes\r\n", ""))
            .isEqualTo(new String(Malformed.header(raw), StandardCharsets.ISO_8859_1));
    }

    @Test
    void aMessageBuiltInMemoryIsWrittenByJavaxMail() throws Exception {
        byte[] bytes = MessageBytes.toByteArray(MimeMessageBuilder.mimeMessageBuilder()
            .setSubject("built").setText("in memory").build());

        assertThat(new String(bytes, StandardCharsets.US_ASCII)).contains("Subject: built").contains("in memory");
    }
}
