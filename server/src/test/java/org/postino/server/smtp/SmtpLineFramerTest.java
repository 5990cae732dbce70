package org.postino.server.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;

import org.apache.james.protocols.netty.CommandInjectionDetectedException;
import org.junit.jupiter.api.Test;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;

class SmtpLineFramerTest {

    private static final int LIMIT = 1000;
    private final EmbeddedChannel channel = new EmbeddedChannel(new SmtpLineFramer(LIMIT));

    @Test
    void linesGoUpWithTheirLineBreaks() {
        send("EHLO client.test\r\nMAIL FROM:<a@b.c>\r\nRCPT");

        assertThat(nextLine()).isEqualTo("EHLO client.test\r\n");
        assertThat(nextLine()).isEqualTo("MAIL FROM:<a@b.c>\r\n");
        assertThat((Object) channel.readInbound()).isNull();

        send(" TO:<d@e.f>\r\n");
        assertThat(nextLine()).isEqualTo("RCPT TO:<d@e.f>\r\n");
    }

    @Test
    void aLineOfTheLimitGoesUpWhole() {
        String line = "x".repeat(LIMIT);

        send(line.substring(0, 600));
        send(line.substring(600) + "\r");
        send("\n");

        assertThat(nextLine()).isEqualTo(line + "\r\n");
    }

    @Test
    void aLongerLineIsReplacedByAnOverlongLineAndTheNextLinesGoOn() {
        send("x".repeat(LIMIT + 1) + "\r\nnext\r\n");

        Object overlong = channel.readInbound();
        assertThat(overlong).isInstanceOf(OverlongLine.class);
        assertThat(((OverlongLine) overlong).octets()).isEqualTo(LIMIT + 3);
        assertThat(nextLine()).isEqualTo("next\r\n");
    }

    @Test
    void aVeryLongLineArrivingInPiecesIsDroppedAsItComesAndReportedOnce() {
        int pieces = 0;
        for (int sent = 0; sent < 1_000_000; sent += 8192) {
            send("y".repeat(8192));
            pieces++;
            assertThat((Object) channel.readInbound()).isNull();
        }
        send("\r\n.\r\n");

        Object overlong = channel.readInbound();
        assertThat(overlong).isInstanceOf(OverlongLine.class);
        assertThat(((OverlongLine) overlong).octets()).isEqualTo(pieces * 8192L + 2);
        assertThat(nextLine()).isEqualTo(".\r\n");
        assertThat((Object) channel.readInbound()).isNull();
    }

    @Test
    void aLineFeedAloneEndsALineAsWithJamesFramer() {
        send("one\ntwo\r\n");

        assertThat(nextLine()).isEqualTo("one\n");
        assertThat(nextLine()).isEqualTo("two\r\n");
    }

    @Test
    void commandsPipelinedWithStartTlsAreRefused() {
        assertThatThrownBy(() -> send("STARTTLS\r\nMAIL FROM:<a@b.c>\r\n"))
            .hasCauseInstanceOf(CommandInjectionDetectedException.class);
    }

    @Test
    void inputAfterStartTlsBeforeTlsIsRefused() {
        send("STARTTLS\r\n");
        assertThat(nextLine()).isEqualTo("STARTTLS\r\n");

        assertThatThrownBy(() -> send("MAIL FROM:<a@b.c>\r\n"))
            .hasCauseInstanceOf(CommandInjectionDetectedException.class);
    }

    private void send(String text) {
        channel.writeInbound(Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII));
    }

    private String nextLine() {
        ByteBuf line = channel.readInbound();
        assertThat(line).isNotNull();
        try {
            return line.toString(StandardCharsets.US_ASCII);
        } finally {
            line.release();
        }
    }
}
