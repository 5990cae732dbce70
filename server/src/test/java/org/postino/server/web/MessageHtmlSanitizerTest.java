package org.postino.server.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The sanitiser against a hostile corpus: what must go goes, ordinary mail formatting stays. */
class MessageHtmlSanitizerTest {

    private static final Function<String, Optional<String>> NO_PARTS = cid -> Optional.empty();

    private static String clean(String html) {
        return MessageHtmlSanitizer.sanitize(html, NO_PARTS, false).html();
    }

    private static String cleanWithImages(String html) {
        return MessageHtmlSanitizer.sanitize(html, NO_PARTS, true).html();
    }

    /** Nothing in the output can run script, load anything remote, navigate, or submit. */
    private static void assertInert(String output) {
        String lower = output.toLowerCase(Locale.ROOT);
        assertThat(lower).doesNotContain("<script", "<svg", "<math", "<iframe", "<frame", "<object", "<embed", "<applet",
            "<form", "<input", "<button", "<textarea", "<select", "<meta", "<base", "<link", "<style", "<video", "<audio",
            "<source", "<template", "javascript:", "vbscript:", "data:text", "expression(", "@import", "url(", "formaction", "srcdoc", "http-equiv", "srcset", "background=");
        // an event handler attribute (text that merely mentions one, escaped, is harmless)
        assertThat(lower).doesNotContainPattern("\\son[a-z]+\\s*=");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "<script>alert(1)</script>hello",
        "<SCRIPT SRC=https://evil.test/x.js></SCRIPT>hello",
        "<scr<script>ipt>alert(1)</script>hello",
        "<img src=x onerror=alert(1)>hello",
        "<body onload=alert(1)>hello</body>",
        "<div onclick=\"alert(1)\" onmouseover='alert(2)'>hello</div>",
        "<a href=\"javascript:alert(1)\">hello</a>",
        "<a href=\"JaVaScRiPt:alert(1)\">hello</a>",
        "<a href=\" &#106;avascript:alert(1)\">hello</a>",
        "<a href=\"java&#x09;script:alert(1)\">hello</a>",
        "<a href=\"vbscript:msgbox(1)\">hello</a>",
        "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">hello</a>",
        "<img src=\"data:text/html,<script>alert(1)</script>\">hello",
        "<img src=\"data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+\">hello",
        "<svg><script>alert(1)</script></svg>hello",
        "<svg onload=alert(1)>hello</svg>",
        "<svg><a xlink:href=\"javascript:alert(1)\"><text>hello</text></a></svg>",
        "<math><mtext><script>alert(1)</script></mtext></math>hello",
        "<iframe src=\"https://evil.test/\"></iframe>hello",
        "<iframe srcdoc=\"<script>alert(1)</script>\"></iframe>hello",
        "<object data=\"https://evil.test/x.swf\"></object>hello",
        "<embed src=\"https://evil.test/x.swf\">hello",
        "<applet code=x></applet>hello",
        "<form action=\"https://evil.test/\"><input name=password type=password><button formaction=\"https://evil.test\">go</button></form>hello",
        "<textarea>x</textarea><select><option>x</option></select>hello",
        "<meta http-equiv=\"refresh\" content=\"0;url=https://evil.test/\">hello",
        "<base href=\"https://evil.test/\">hello",
        "<link rel=\"stylesheet\" href=\"http://evil.test/x.css\">hello",
        "<div style=\"width: expression(alert(1))\">hello</div>",
        "<div style=\"background: url(javascript:alert(1))\">hello</div>",
        "<div style=\"background-image: url('https://tracker.test/p.gif')\">hello</div>",
        "<div style=\"behavior: url(x.htc); -moz-binding: url(x.xml#y)\">hello</div>",
        "<style>@import url(https://evil.test/x.css);</style>hello",
        "<style>body { background: url(https://tracker.test/p.gif) }</style>hello",
        "<div style=\"@import 'https://evil.test/x.css'\">hello</div>",
        "<video src=https://evil.test/v.mp4 poster=https://evil.test/p.png></video>hello",
        "<audio src=https://evil.test/a.mp3></audio>hello",
        "<template><script>alert(1)</script></template>hello",
        "<img srcset=\"https://tracker.test/a.png 1x\">hello",
        "<table background=\"https://tracker.test/bg.png\"><tr><td>hello</td></tr></table>",
        "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\"></noscript>hello",
        "<a href=\"https://ok.test/\" onclick=\"alert(1)\">hello</a>",
    })
    void hostileMarkupComesOutInert(String hostile) {
        String output = clean(hostile);
        assertInert(output);
        assertInert(cleanWithImages(hostile));
        assertThat(output).contains("hello");
        assertThat(output).doesNotContain("alert(1)</");
    }

    @Test
    void styleElementsAndTheirContentGo() {
        String output = clean("<style>p { color: red } body { background: url(https://tracker.test/p.gif) }</style><p>text</p>");
        assertThat(output).doesNotContain("color: red").doesNotContain("tracker.test").contains("<p>text</p>");
    }

    @Test
    void scriptTextIsNotKeptAsText() {
        assertThat(clean("<script>var secret = 1;</script><p>x</p>")).doesNotContain("secret");
    }

    @Test
    void linksOpenInANewWindowWithoutOpenerOrReferrer() {
        String output = clean("<a href=\"https://example.com/page?a=1&amp;b=2\" target=\"_self\" rel=\"opener\">site</a>");
        assertThat(output).contains("href=\"https://example.com/page?a&#61;1&amp;b&#61;2\"")
            .contains("target=\"_blank\"")
            .containsPattern("rel=\"[^\"]*noopener[^\"]*\"")
            .containsPattern("rel=\"[^\"]*noreferrer[^\"]*\"")
            .doesNotContain("_self").doesNotContain("\"opener");
        assertThat(clean("<a href=\"mailto:bob@example.com\">bob</a>")).contains("href=\"mailto:bob&#64;example.com\"");
    }

    @Test
    void relativeAndOddLinksLoseTheirAddress() {
        assertThat(clean("<a href=\"/jmap/session\">x</a>")).doesNotContain("href");
        assertThat(clean("<a href=\"ftp://example.com/\">x</a>")).doesNotContain("href");
        assertThat(clean("<a href=\"cid:part1\">x</a>")).doesNotContain("href");
    }

    @Test
    void remoteImagesAreWithheldAndReported() {
        MessageHtmlSanitizer.Result result = MessageHtmlSanitizer.sanitize(
            "<p>hi</p><img src=\"http://tracker.test/pixel.gif\" alt=\"logo\"><img src=\"//cdn.test/x.png\">", NO_PARTS, false);
        assertThat(result.remoteImages()).isEqualTo(MessageHtmlSanitizer.RemoteImages.BLOCKED);
        assertThat(result.html()).doesNotContain("tracker.test").doesNotContain("cdn.test").contains("hi");
    }

    @Test
    void remoteImagesAreShownOverHttpsWhenAsked() {
        MessageHtmlSanitizer.Result result = MessageHtmlSanitizer.sanitize(
            "<img src=\"http://cdn.test/a.png\"><img src=\"https://cdn.test/b.png\"><img src=\"//cdn.test/c.png\">", NO_PARTS, true);
        assertThat(result.remoteImages()).isEqualTo(MessageHtmlSanitizer.RemoteImages.SHOWN);
        assertThat(result.html()).contains("src=\"https://cdn.test/a.png\"", "src=\"https://cdn.test/b.png\"",
            "src=\"https://cdn.test/c.png\"").doesNotContain("http://");
    }

    @Test
    void noRemoteImageMeansNone() {
        assertThat(MessageHtmlSanitizer.sanitize("<p>plain</p>", NO_PARTS, false).remoteImages())
            .isEqualTo(MessageHtmlSanitizer.RemoteImages.NONE);
    }

    @Test
    void cidImagesPointToTheResolvedPart() {
        MessageHtmlSanitizer.Result result = MessageHtmlSanitizer.sanitize("<img src=\"cid:logo@example.com\"><img src=\"cid:missing\">",
            cid -> cid.equals("logo@example.com") ? Optional.of("/download/acc/msg_3?type=image%2Fpng") : Optional.empty(), false);
        assertThat(result.html()).contains("src=\"/download/acc/msg_3?type&#61;image%2Fpng\"").doesNotContain("missing");
        assertThat(result.remoteImages()).isEqualTo(MessageHtmlSanitizer.RemoteImages.NONE);
    }

    @Test
    void inlineRasterImagesStay() {
        String png = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";
        assertThat(clean("<img src=\"" + png + "\">")).contains(png.substring(0, 30));
    }

    @Test
    void ordinaryFormattingStays() {
        String output = clean("<table width=\"600\" cellpadding=\"4\" bgcolor=\"#ffffff\"><tr><td align=\"center\" "
            + "style=\"color: #336699; font-weight: bold; padding: 4px\">Hello <b>bold</b> <i>it</i></td></tr></table>"
            + "<ul><li>one</li></ul><blockquote>quoted</blockquote><font color=\"red\" face=\"Arial\">f</font>");
        assertThat(output).contains("<table", "width=\"600\"", "cellpadding=\"4\"", "bgcolor=\"#ffffff\"", "<td",
            "align=\"center\"", "color:#336699", "font-weight:bold", "<b>bold</b>", "<i>it</i>", "<li>one</li>",
            "<blockquote>quoted</blockquote>", "color=\"red\"", "face=\"Arial\"");
    }

    @Test
    void badAttributeValuesGo() {
        String output = clean("<table width=\"100;x:expression(1)\" bgcolor=\"red;background:url(x)\"><tr><td>x</td></tr></table>");
        assertThat(output).doesNotContain("width").doesNotContain("bgcolor").doesNotContain("expression");
    }
}
