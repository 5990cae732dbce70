package org.postino.mailets.delivery.dsn;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import javax.mail.BodyPart;
import javax.mail.MessagingException;
import javax.mail.Multipart;
import javax.mail.internet.MimeMessage;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden files: each case's notice, its decoded human part and its delivery-status part compared exactly with
 * the expected files beside the input (see {@link GoldenCase}). Run with {@code -Ddsn.golden.update=true} to
 * rewrite the expected files after an intended change, then review them with {@code git diff}.
 */
class DsnWriterGoldenTest {

    static List<GoldenCase> cases() throws IOException {
        return GoldenCase.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void noticeShouldMatchItsGoldenFile(GoldenCase golden) throws Exception {
        String notice = lf(bytes(write(golden)));

        expect(golden, "notice.eml", notice);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void humanPartShouldMatchItsGoldenFile(GoldenCase golden) throws Exception {
        String human = lf(decoded(part(write(golden), 0)));

        expect(golden, "human.txt", human);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void deliveryStatusPartShouldMatchItsGoldenFile(GoldenCase golden) throws Exception {
        String deliveryStatus = lf(decoded(part(write(golden), 1)));

        expect(golden, "delivery-status.txt", deliveryStatus);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void noticeShouldBeSevenBitWithCrlfLinesWithin998Octets(GoldenCase golden) throws Exception {
        byte[] notice = bytes(write(golden));

        int lineStart = 0;
        for (int i = 0; i < notice.length; i++) {
            assertThat(notice[i]).as("octet %d", i).isBetween((byte) 1, (byte) 127);
            if (notice[i] == '\n') {
                assertThat(notice[i - 1]).as("LF at %d follows CR", i).isEqualTo((byte) '\r');
                assertThat(i - 1 - lineStart).as("line at %d", lineStart).isLessThanOrEqualTo(998);
                lineStart = i + 1;
            } else if (notice[i] == '\r') {
                assertThat(notice[i + 1]).as("CR at %d precedes LF", i).isEqualTo((byte) '\n');
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void writingTheNoticeAgainShouldGiveTheSameBytes(GoldenCase golden) throws Exception {
        MimeMessage notice = write(golden);

        assertThat(bytes(notice)).isEqualTo(bytes(notice)).isEqualTo(bytes(write(golden)));
    }

    static MimeMessage write(GoldenCase golden) throws IOException, MessagingException {
        return golden.writer().write(golden.report(), GoldenCase.SESSION);
    }

    static byte[] bytes(MimeMessage message) throws IOException, MessagingException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        message.writeTo(out);
        return out.toByteArray();
    }

    private static BodyPart part(MimeMessage notice, int index) throws IOException, MessagingException {
        return ((Multipart) notice.getContent()).getBodyPart(index);
    }

    private static byte[] decoded(BodyPart part) throws IOException, MessagingException {
        try (InputStream in = part.getInputStream()) {
            return in.readAllBytes();
        }
    }

    private static String lf(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8).replace("\r\n", "\n");
    }

    private static void expect(GoldenCase golden, String fileName, String actual) throws IOException {
        if (GoldenCase.updating()) {
            golden.update(fileName, actual);
        }
        assertThat(actual).as("%s/%s", golden.name(), fileName).isEqualTo(golden.read(fileName));
    }
}
