package org.postino.server.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class MessageRendererTest {

    private static MessageRenderer.Rendered render(String message, boolean images) throws Exception {
        return MessageRenderer.render(new ByteArrayInputStream(message.replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8)),
            "MSG", "ACCOUNT", images);
    }

    @Test
    void plainTextIsEscapedIntoPre() throws Exception {
        MessageRenderer.Rendered rendered = render("""
            From: a@example.com
            Subject: plain
            Content-Type: text/plain; charset=utf-8

            <script>alert("x")</script> & caf\u00e9
            """, false);
        assertThat(rendered.document()).contains("<pre>&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; caf\u00e9")
            .doesNotContain("<script").startsWith("<!DOCTYPE html>");
        assertThat(rendered.remoteImages()).isEqualTo(MessageHtmlSanitizer.RemoteImages.NONE);
    }

    @Test
    void htmlAlternativeIsPreferredAndSanitised() throws Exception {
        MessageRenderer.Rendered rendered = render("""
            From: a@example.com
            Subject: alt
            MIME-Version: 1.0
            Content-Type: multipart/alternative; boundary="b1"

            --b1
            Content-Type: text/plain; charset=us-ascii

            the plain version
            --b1
            Content-Type: text/html; charset=us-ascii

            <p onclick="x()">the <b>html</b> version<script>evil()</script><img src="https://tracker.test/p.gif"></p>
            --b1--
            """, false);
        assertThat(rendered.document()).contains("the <b>html</b> version").doesNotContain("plain version")
            .doesNotContain("evil").doesNotContain("onclick").doesNotContain("tracker.test");
        assertThat(rendered.remoteImages()).isEqualTo(MessageHtmlSanitizer.RemoteImages.BLOCKED);
    }

    @Test
    void cidImagesPointToJamesBlobIdsOfTheirParts() throws Exception {
        // parts: 1 multipart/mixed, 2 multipart/related, 3 text/html, 4 image (cid), 5 attachment (pdf)
        MessageRenderer.Rendered rendered = render("""
            From: a@example.com
            Subject: related
            MIME-Version: 1.0
            Content-Type: multipart/mixed; boundary="outer"

            --outer
            Content-Type: multipart/related; boundary="inner"

            --inner
            Content-Type: text/html; charset=utf-8

            <p>logo: <img src="cid:logo@example.com"> and <img src="cid:nothere"></p>
            --inner
            Content-Type: image/png
            Content-ID: <logo@example.com>
            Content-Transfer-Encoding: base64

            iVBORw0KGgo=
            --inner--
            --outer
            Content-Type: application/pdf; name="doc.pdf"
            Content-Disposition: attachment; filename="doc.pdf"
            Content-ID: <doc@example.com>

            %PDF
            --outer--
            """, false);
        assertThat(rendered.document()).contains("src=\"/download/ACCOUNT/MSG_4?type&#61;image%2Fpng\"")
            .doesNotContain("nothere");
    }

    @Test
    void aMessageWithoutTextSaysSo() throws Exception {
        MessageRenderer.Rendered rendered = render("""
            From: a@example.com
            Subject: pdf only
            Content-Type: application/pdf
            Content-Disposition: attachment; filename="x.pdf"

            %PDF
            """, false);
        assertThat(rendered.document()).contains("This message has no text.");
    }

    @Test
    void accountIdIsJamesSha256OfTheUserName() {
        // sha256("alice@example.com")
        assertThat(WebmailRoutes.accountId(org.apache.james.core.Username.of("alice@example.com")))
            .isEqualTo("ff8d9819fc0e12bf0d24892e45987e249a28dce836a85cad60e28eaaa8c6d976");
    }
}
