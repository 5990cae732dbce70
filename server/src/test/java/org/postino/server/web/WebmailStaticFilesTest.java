package org.postino.server.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Against the fixture under src/test/resources/postino-webmail/. */
class WebmailStaticFilesTest {

    private final WebmailStaticFiles files = new WebmailStaticFiles();

    @Test
    void indexIsServedUncached() {
        WebmailStaticFiles.File index = files.index().orElseThrow();
        assertThat(new String(index.content(), StandardCharsets.UTF_8)).contains("Postino test fixture");
        assertThat(index.contentType()).isEqualTo("text/html; charset=utf-8");
        assertThat(index.cacheControl()).isEqualTo("no-store");
    }

    @Test
    void hashedAssetsAreImmutableOthersRevalidated() {
        WebmailStaticFiles.File script = files.asset("index-Ab12Cd34.js").orElseThrow();
        assertThat(script.contentType()).isEqualTo("text/javascript; charset=utf-8");
        assertThat(script.cacheControl()).isEqualTo("public, max-age=31536000, immutable");
        WebmailStaticFiles.File style = files.asset("plain.css").orElseThrow();
        assertThat(style.contentType()).isEqualTo("text/css; charset=utf-8");
        assertThat(style.cacheControl()).isEqualTo("no-cache");
    }

    @Test
    void hashRecognition() {
        assertThat(WebmailStaticFiles.isHashed("index-4f3a2b1c.js")).isTrue();
        assertThat(WebmailStaticFiles.isHashed("index-BvR3x_9q.css")).isTrue();
        assertThat(WebmailStaticFiles.isHashed("vendor-react-DkX-9a_B.js")).isTrue();
        assertThat(WebmailStaticFiles.isHashed("plain.css")).isFalse();
        assertThat(WebmailStaticFiles.isHashed("some-longname.js")).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"../index.html", "..", ".", "sub/inner.txt", "sub", "..%2findex.html", "%2e%2e",
        ".hidden", "index-Ab12Cd34.js/", "/etc/passwd", "..\\index.html", "a b.js", "missing.js", ""})
    void anythingButAPlainExistingAssetNameIsNotFound(String name) {
        assertThat(files.asset(name)).isEmpty();
    }

    @Test
    void contentTypes() {
        assertThat(WebmailStaticFiles.contentType("a.woff2")).isEqualTo("font/woff2");
        assertThat(WebmailStaticFiles.contentType("a.svg")).isEqualTo("image/svg+xml");
        assertThat(WebmailStaticFiles.contentType("a.unknown")).isEqualTo("application/octet-stream");
        assertThat(WebmailStaticFiles.contentType("noextension")).isEqualTo("application/octet-stream");
    }

    @Test
    void withoutTheFrontEndThereIsNoIndex() throws Exception {
        try (URLClassLoader empty = new URLClassLoader(new URL[0], null)) {
            WebmailStaticFiles none = new WebmailStaticFiles(empty);
            assertThat(none.index()).isEmpty();
            assertThat(none.asset("index-Ab12Cd34.js")).isEmpty();
        }
        assertThat(new String(WebmailStaticFiles.notInstalledPage(), StandardCharsets.UTF_8)).contains("Webmail not installed");
    }
}
