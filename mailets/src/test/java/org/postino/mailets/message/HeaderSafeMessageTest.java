package org.postino.mailets.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import javax.mail.MessagingException;

import org.apache.james.server.core.MimeMessageInputStream;
import org.apache.james.server.core.MimeMessageWrapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class HeaderSafeMessageTest {

    static Iterable<String> fixtures() {
        return Malformed.UNSAVABLE;
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void theFixturesAreMessagesJavaxMailCannotSaveAgain(String fixture) {
        assertThatThrownBy(() -> Malformed.saveAgainWithJavaxMail(Malformed.bytes(fixture)))
            .isInstanceOf(MessagingException.class);
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void anUnchangedMessageIsWrittenAsReceived(String fixture) throws Exception {
        byte[] raw = Malformed.bytes(fixture);
        HeaderSafeMessage message = new HeaderSafeMessage(Malformed.source(raw));

        assertThat(written(message)).isEqualTo(raw);
        assertThat(new MimeMessageInputStream(message).readAllBytes()).isEqualTo(raw);
        assertThat(message.getMessageSize()).isEqualTo(raw.length);
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void saveChangesKeepsTheReceivedMessage(String fixture) throws Exception {
        byte[] raw = Malformed.bytes(fixture);
        HeaderSafeMessage message = new HeaderSafeMessage(Malformed.source(raw));

        message.saveChanges();

        assertThat(written(message)).isEqualTo(raw);
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void aHeaderChangeKeepsTheBodyAndTheOtherHeaderLinesByteForByte(String fixture) throws Exception {
        byte[] raw = Malformed.bytes(fixture);
        HeaderSafeMessage message = new HeaderSafeMessage(Malformed.source(raw));

        // What James's LocalDelivery does before storing, and RemoveMimeHeader after removing a header.
        message.setHeader("Return-Path", "<bounces@example.org>");
        message.saveChanges();

        byte[] written = written(message);
        assertThat(Malformed.body(written)).isEqualTo(Malformed.body(raw));
        assertThat(new String(Malformed.header(written), StandardCharsets.ISO_8859_1))
            .startsWith("Return-Path: <bounces@example.org>\r\n");
        assertThat(withoutReturnPath(Malformed.header(written))).isEqualTo(withoutReturnPath(Malformed.header(raw)));
        assertThat(new MimeMessageInputStream(message).readAllBytes()).isEqualTo(written);
        assertThat(message.getMessageSize()).isEqualTo(written.length);
    }

    @Test
    void rawEightBitHeaderBytesSurviveAHeaderChange() throws Exception {
        byte[] raw = Malformed.bytes(Malformed.EIGHT_BIT_HEADERS);
        HeaderSafeMessage message = new HeaderSafeMessage(Malformed.source(raw));

        message.setHeader("X-Added", "1");

        assertThat(indexOf(written(message), "Subject: Caf\u00e9 cr\u00e8me \u00ff\u00fe\u0080\u0081 garbage\r\n"))
            .isPositive();
    }

    @Test
    void jamesOwnWrapperTurnsThoseBytesIntoQuestionMarks() throws Exception {
        // Why HeaderSafeMessage and MessageBytes exist: the same change on James's wrapper loses the bytes.
        byte[] raw = Malformed.bytes(Malformed.EIGHT_BIT_HEADERS);
        MimeMessageWrapper james = new MimeMessageWrapper(Malformed.source(raw));
        james.setHeader("X-Added", "1");

        byte[] viaJames = new MimeMessageInputStream(james).readAllBytes();

        assertThat(indexOf(viaJames, "Subject: Caf? cr?me ???? garbage\r\n")).isPositive();
        assertThat(indexOf(MessageBytes.toByteArray(james), "Subject: Caf\u00e9 cr\u00e8me \u00ff\u00fe\u0080\u0081 garbage\r\n"))
            .isPositive();
    }

    @Test
    void writeToLeavesOutTheIgnoredHeadersOnly() throws Exception {
        byte[] raw = Malformed.bytes("broken-content-type-parameters.eml");
        HeaderSafeMessage message = new HeaderSafeMessage(Malformed.source(raw));
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        message.writeTo(out, new String[] {"Return-Path"});

        String expected = new String(raw, StandardCharsets.ISO_8859_1).replace("Return-Path: <sender@example.org>\r\n", "");
        assertThat(out.toString(StandardCharsets.ISO_8859_1)).isEqualTo(expected);
    }

    @Test
    void writeToWithTwoStreamsSplitsHeaderAndBodyWhereTheyMeet() throws Exception {
        byte[] raw = Malformed.bytes("missing-start-boundary.eml");
        HeaderSafeMessage message = new HeaderSafeMessage(Malformed.source(raw));
        ByteArrayOutputStream header = new ByteArrayOutputStream();
        ByteArrayOutputStream body = new ByteArrayOutputStream();

        message.writeTo(header, body);

        assertThat(header.toByteArray()).isEqualTo(Malformed.header(raw));
        assertThat(body.toByteArray()).isEqualTo(Malformed.body(raw));
    }

    @Test
    void aReplacedBodyIsWrittenByJavaxMail() throws Exception {
        HeaderSafeMessage message = new HeaderSafeMessage(Malformed.source(Malformed.bytes("unbalanced-quote.eml")));

        message.setText("a new body", "UTF-8");
        message.saveChanges();

        String written = new String(written(message), StandardCharsets.ISO_8859_1);
        assertThat(written).contains("a new body").contains("Content-Type: text/plain; charset=UTF-8")
            .doesNotContain("never ends");
    }

    @Test
    void copyOfKeepsTheBytes() throws Exception {
        byte[] raw = Malformed.bytes(Malformed.EIGHT_BIT_HEADERS);

        HeaderSafeMessage copy = HeaderSafeMessage.copyOf(new MimeMessageWrapper(Malformed.source(raw)));

        assertThat(written(copy)).isEqualTo(raw);
        copy.dispose();
    }

    static byte[] written(javax.mail.internet.MimeMessage message) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        message.writeTo(out);
        return out.toByteArray();
    }

    private static String withoutReturnPath(byte[] header) {
        return new String(header, StandardCharsets.ISO_8859_1).replaceAll("(?m)^Return-Path: [^\r]*\r\n", "");
    }

    static int indexOf(byte[] haystack, String latin1) {
        return new String(haystack, StandardCharsets.ISO_8859_1).indexOf(latin1);
    }
}
