package org.postino.server.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import org.apache.james.core.Username;
import org.apache.james.jmap.Endpoint;
import org.apache.james.jmap.JMAPRoute;
import org.apache.james.mailbox.MailboxSessionUtil;
import org.apache.james.user.api.UsersRepository;
import org.postino.server.storage.PostinoMessageId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * The webmail routes and the cookie strategy on a real (plain HTTP, loopback) reactor-netty server, routed as
 * Postino's JMAP listener routes: first matching route. A stand-in JMAP endpoint {@code /api-test} answers with the
 * user the cookie strategy authenticated, or 401 as James would.
 */
class WebmailRoutesTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration FLOOR = Duration.ofMillis(200);
    private static final String STORED = "6a1c3e52-3f1b-4a57-9b8e-0d2c64a4b7a1";
    private static final String BROKEN = "0e3e1f7c-9b1d-4c1e-8f0e-5a7b2c9d1e3f";
    private static final String HOSTILE = "From: m@attacker.test\r\nSubject: hi\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
        + "<p onclick=\"steal()\">Hello <b>Alice</b></p><script>steal()</script><img src=\"http://tracker.test/p.gif\">\r\n";

    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    private final WebSessionStore sessions = new WebSessionStore();
    private final MutableClock clock = new MutableClock();
    private DisposableServer server;
    private String base;

    @BeforeEach
    void start() {
        start(new WebmailStaticFiles());
    }

    private void start(WebmailStaticFiles files) {
        if (server != null) {
            server.disposeNow();
        }
        UsersRepository users = (UsersRepository) Proxy.newProxyInstance(getClass().getClassLoader(),
            new Class<?>[] {UsersRepository.class}, (proxy, method, args) -> {
                if (method.getName().equals("test")) {
                    return (args[0].equals(Username.of("alice@example.com")) || args[0].equals(Username.of("bob@example.com")))
                        && args[1].equals("secret");
                }
                throw new UnsupportedOperationException(method.getName());
            });
        WebLogin login = new WebLogin(users, sessions, new LoginRateLimiter(5, Duration.ofMinutes(5), clock),
            new LoginRateLimiter(20, Duration.ofMinutes(5), clock), FLOOR);
        SameOrigin sameOrigin = new SameOrigin(Optional.of(URI.create("https://mail.example.com")));
        WebmailRoutes routes = new WebmailRoutes(files, login, sessions, sameOrigin, StoreFakes.mailboxManager(),
            StoreFakes.messageIdManager(Username.of("alice@example.com"), Map.of(STORED, HOSTILE.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                BROKEN, new byte[0])), new PostinoMessageId.Factory());
        CookieAuthenticationStrategy strategy = new CookieAuthenticationStrategy(sessions, sameOrigin,
            MailboxSessionUtil::create);
        JMAPRoute.Action api = (req, res) -> strategy.createMailboxSession(req)
            .map(session -> Optional.of(session.getUser().asString()))
            .defaultIfEmpty(Optional.empty())
            .onErrorResume(e -> Mono.just(Optional.of("!" + e.getMessage())))
            .flatMap(user -> {
                if (user.isEmpty()) {
                    return res.status(HttpResponseStatus.UNAUTHORIZED).header("WWW-Authenticate", "Basic realm=\"simple\"")
                        .send().then();
                }
                if (user.get().startsWith("!")) {
                    return res.status(HttpResponseStatus.UNAUTHORIZED).sendString(Mono.just(user.get())).then();
                }
                return res.status(HttpResponseStatus.OK).sendString(Mono.just(user.get())).then();
            });
        List<JMAPRoute> all = Stream.concat(routes.routes(), Stream.of(
            JMAPRoute.builder().endpoint(Endpoint.ofFixedPath(HttpMethod.GET, "/api-test")).action(api).noCorsHeaders(),
            JMAPRoute.builder().endpoint(Endpoint.ofFixedPath(HttpMethod.POST, "/api-test")).action(api).noCorsHeaders(),
            JMAPRoute.builder().endpoint(Endpoint.ofFixedPath(HttpMethod.GET, "/ws-test")).action(api).noCorsHeaders()))
            .toList();
        server = HttpServer.create().host("127.0.0.1").port(0)
            .handle((req, res) -> all.stream().filter(route -> route.matches(req)).findFirst()
                .map(route -> route.getAction().handleRequest(req, res))
                .orElseGet(() -> res.status(HttpResponseStatus.NOT_FOUND).send()))
            .bindNow();
        base = "http://127.0.0.1:" + server.port();
    }

    @AfterEach
    void stop() {
        server.disposeNow();
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(base + path));
    }

    private HttpResponse<String> signIn(String username, String password) throws Exception {
        return send(request("/webmail/api/session").header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(Map.of("username", username, "password", password)))));
    }

    private static String cookieOf(HttpResponse<String> response) {
        String setCookie = response.headers().firstValue("Set-Cookie").orElseThrow();
        return setCookie.substring(0, setCookie.indexOf(';'));
    }

    private static void assertWebmailHeaders(HttpResponse<String> response) {
        assertThat(response.headers().firstValue("Content-Security-Policy")).contains("default-src 'none'; script-src 'self'; "
            + "style-src 'self'; img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; frame-src 'self'; "
            + "form-action 'self'; base-uri 'none'; frame-ancestors 'none'");
        assertThat(response.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
        assertThat(response.headers().firstValue("Referrer-Policy")).contains("no-referrer");
        assertThat(response.headers().firstValue("X-Frame-Options")).contains("DENY");
        assertThat(response.headers().firstValue("Strict-Transport-Security")).contains("max-age=31536000");
    }

    @Test
    void rootRedirectsToTheWebmail() throws Exception {
        HttpResponse<String> response = send(request("/"));
        assertThat(response.statusCode()).isEqualTo(302);
        assertThat(response.headers().firstValue("Location")).contains("/webmail/");
        assertThat(send(request("/webmail")).headers().firstValue("Location")).contains("/webmail/");
    }

    @Test
    void indexAndAssetsWithTheirHeaders() throws Exception {
        for (String path : List.of("/webmail/", "/webmail/index.html")) {
            HttpResponse<String> index = send(request(path));
            assertThat(index.statusCode()).isEqualTo(200);
            assertThat(index.body()).contains("Postino test fixture");
            assertThat(index.headers().firstValue("Content-Type")).contains("text/html; charset=utf-8");
            assertThat(index.headers().firstValue("Cache-Control")).contains("no-store");
            assertWebmailHeaders(index);
        }
        HttpResponse<String> asset = send(request("/webmail/assets/index-Ab12Cd34.js"));
        assertThat(asset.statusCode()).isEqualTo(200);
        assertThat(asset.headers().firstValue("Cache-Control")).contains("public, max-age=31536000, immutable");
        assertThat(asset.headers().firstValue("Content-Type")).contains("text/javascript; charset=utf-8");
        assertWebmailHeaders(asset);
    }

    @Test
    void traversalAndUnknownPathsAreNotFound() throws Exception {
        for (String path : List.of("/webmail/assets/..%2Findex.html", "/webmail/assets/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
            "/webmail/assets/sub/inner.txt", "/webmail/assets/sub", "/webmail/../webmail/index.html",
            "/webmail/assets/../../org/postino/server/web/WebmailRoutes.class", "/webmail/nothing",
            "/webmail/assets/", "/webmail/assets/missing.js")) {
            HttpResponse<String> response = send(request(path));
            assertThat(response.statusCode()).as(path).isIn(404);
            assertThat(response.body()).as(path).doesNotContain("fixture").doesNotContain("root:");
        }
        assertWebmailHeaders(send(request("/webmail/nothing")));
    }

    @Test
    void withoutTheFrontEndTheWebmailSaysSo() throws Exception {
        try (java.net.URLClassLoader empty = new java.net.URLClassLoader(new java.net.URL[0], null)) {
            start(new WebmailStaticFiles(empty));
            HttpResponse<String> response = send(request("/webmail/"));
            assertThat(response.statusCode()).isEqualTo(503);
            assertThat(response.body()).contains("Webmail not installed");
            assertWebmailHeaders(response);
        }
    }

    @Test
    void signInGivesTheCookieAndTheCsrfToken() throws Exception {
        HttpResponse<String> response = signIn("alice@example.com", "secret");
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.get("username").asText()).isEqualTo("alice@example.com");
        assertThat(body.get("csrfToken").asText()).hasSize(43);
        String setCookie = response.headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(setCookie).matches("__Host-postino=[A-Za-z0-9_-]{43}; Path=/; Secure; HttpOnly; SameSite=Strict");
        assertThat(response.headers().firstValue("Cache-Control")).contains("no-store");
        assertWebmailHeaders(response);

        HttpResponse<String> current = send(request("/webmail/api/session").header("Cookie", cookieOf(response)));
        assertThat(current.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(current.body()).get("csrfToken").asText()).isEqualTo(body.get("csrfToken").asText());
        assertThat(send(request("/webmail/api/session")).statusCode()).isEqualTo(401);
        assertThat(send(request("/webmail/api/session").header("Cookie", "__Host-postino=forged")).statusCode()).isEqualTo(401);
    }

    @Test
    void wrongPasswordAndUnknownUserGetTheSameAnswerNoSoonerThanTheFloor() throws Exception {
        for (String[] credentials : new String[][] {{"alice@example.com", "wrong"}, {"nobody@example.com", "secret"},
            {"not an address@@", "x"}}) {
            long started = System.nanoTime();
            HttpResponse<String> response = signIn(credentials[0], credentials[1]);
            long millis = (System.nanoTime() - started) / 1_000_000;
            assertThat(response.statusCode()).isEqualTo(401);
            assertThat(response.body()).isEqualTo("{\"error\":\"invalid-credentials\"}");
            assertThat(response.headers().firstValue("Set-Cookie")).isEmpty();
            assertThat(millis).isGreaterThanOrEqualTo(FLOOR.toMillis());
        }
    }

    @Test
    void fiveFailuresForAUserBlockItEvenWithTheRightPasswordUntilTheWindowPasses() throws Exception {
        for (int i = 0; i < 5; i++) {
            assertThat(signIn("alice@example.com", "wrong" + i).statusCode()).isEqualTo(401);
        }
        HttpResponse<String> limited = signIn("Alice@Example.com", "secret");
        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(limited.body()).isEqualTo("{\"error\":\"rate-limited\"}");
        assertThat(Long.parseLong(limited.headers().firstValue("Retry-After").orElseThrow())).isBetween(1L, 300L);
        clock.advance(Duration.ofMinutes(5));
        assertThat(signIn("alice@example.com", "secret").statusCode()).isEqualTo(200);
    }

    @Test
    void aSuccessResetsTheUsersCountButNotTheAddresss() throws Exception {
        for (int round = 0; round < 4; round++) {
            for (int i = 0; i < 4; i++) {
                assertThat(signIn("alice@example.com", "wrong").statusCode()).isEqualTo(401);
            }
            if (round < 3) {
                assertThat(signIn("alice@example.com", "secret").statusCode()).as("round %d", round).isEqualTo(200);
            }
        }
        // 16 failures for alice, reset each time; 4 more from this address for someone else reach 20
        for (int i = 0; i < 4; i++) {
            signIn("bob" + i + "@example.com", "x");
        }
        assertThat(signIn("carol@example.com", "x").statusCode()).as("the address's limit").isEqualTo(429);
    }

    @Test
    void signInRefusesFormsOtherOriginsAndJunk() throws Exception {
        assertThat(send(request("/webmail/api/session").header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString("username=alice%40example.com&password=secret"))).statusCode()).isEqualTo(415);
        assertThat(send(request("/webmail/api/session").header("Content-Type", "text/plain")
            .POST(HttpRequest.BodyPublishers.ofString("{\"username\":\"alice@example.com\",\"password\":\"secret\"}")))
            .statusCode()).isEqualTo(415);
        assertThat(send(request("/webmail/api/session").header("Content-Type", "application/json")
            .header("Origin", "https://evil.example.net")
            .POST(HttpRequest.BodyPublishers.ofString("{\"username\":\"alice@example.com\",\"password\":\"secret\"}")))
            .statusCode()).isEqualTo(403);
        assertThat(send(request("/webmail/api/session").header("Content-Type", "application/json")
            .header("Origin", "https://mail.example.com")
            .POST(HttpRequest.BodyPublishers.ofString("{\"username\":\"alice@example.com\",\"password\":\"secret\"}")))
            .statusCode()).as("the public address").isEqualTo(200);
        assertThat(send(request("/webmail/api/session").header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("[1,2"))).statusCode()).isEqualTo(400);
        assertThat(send(request("/webmail/api/session").header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{\"username\":\"" + "a".repeat(20_000) + "\"}"))).statusCode())
            .isEqualTo(413);
    }

    @Test
    void cookieAuthenticatedApiCallsNeedTheCsrfHeaderExceptToRead() throws Exception {
        HttpResponse<String> signedIn = signIn("alice@example.com", "secret");
        String cookie = cookieOf(signedIn);
        String csrf = JSON.readTree(signedIn.body()).get("csrfToken").asText();

        HttpResponse<String> read = send(request("/api-test").header("Cookie", cookie));
        assertThat(read.statusCode()).isEqualTo(200);
        assertThat(read.body()).isEqualTo("alice@example.com");

        assertThat(send(request("/api-test").header("Cookie", cookie).POST(HttpRequest.BodyPublishers.ofString("{}")))
            .statusCode()).isEqualTo(401);
        assertThat(send(request("/api-test").header("Cookie", cookie).header("X-Postino-CSRF", "wrong")
            .POST(HttpRequest.BodyPublishers.ofString("{}"))).statusCode()).isEqualTo(401);
        HttpResponse<String> write = send(request("/api-test").header("Cookie", cookie).header("X-Postino-CSRF", csrf)
            .POST(HttpRequest.BodyPublishers.ofString("{}")));
        assertThat(write.statusCode()).isEqualTo(200);
        assertThat(write.body()).isEqualTo("alice@example.com");
    }

    @Test
    void noCookieIsNotThisStrategysBusinessAStaleOneIsRefusedWithoutChallenge() throws Exception {
        HttpResponse<String> none = send(request("/api-test"));
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("WWW-Authenticate")).as("James's challenge, other strategies").isPresent();
        HttpResponse<String> stale = send(request("/api-test").header("Cookie", "__Host-postino=expired"));
        assertThat(stale.statusCode()).isEqualTo(401);
        assertThat(stale.headers().firstValue("WWW-Authenticate")).isEmpty();
        HttpResponse<String> staleWithBasic = send(request("/api-test").header("Cookie", "__Host-postino=expired")
            .header("Authorization", "Basic eDp5"));
        assertThat(staleWithBasic.headers().firstValue("WWW-Authenticate")).as("left to Basic").isPresent();
    }

    @Test
    void webSocketUpgradesMustComeFromThisOrigin() throws Exception {
        String cookie = cookieOf(signIn("alice@example.com", "secret"));
        // java.net.http will not send Upgrade itself: a raw request
        String port = base.substring(base.lastIndexOf(':') + 1);
        for (String[] origin : new String[][] {{"https://evil.example.net", "401"}, {"https://127.0.0.1:" + port, "200"},
            {"https://mail.example.com", "200"}, {null, "401"}}) {
            try (java.net.Socket socket = new java.net.Socket("127.0.0.1", Integer.parseInt(port))) {
                String request = "GET /ws-test HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\n"
                    + "Connection: close\r\nCookie: " + cookie + "\r\n" + (origin[0] == null ? "" : "Origin: " + origin[0] + "\r\n") + "\r\n";
                socket.getOutputStream().write(request.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                String status = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream())).readLine();
                assertThat(status).as("Origin " + origin[0]).contains(" " + origin[1] + " ");
            }
        }
    }

    @Test
    void signOutNeedsTheCsrfHeaderThenEndsTheSession() throws Exception {
        HttpResponse<String> signedIn = signIn("alice@example.com", "secret");
        String cookie = cookieOf(signedIn);
        String csrf = JSON.readTree(signedIn.body()).get("csrfToken").asText();

        assertThat(send(request("/webmail/api/session").header("Cookie", cookie).DELETE()).statusCode()).isEqualTo(401);
        assertThat(send(request("/webmail/api/session").header("Cookie", cookie)).statusCode()).as("still signed in").isEqualTo(200);

        HttpResponse<String> out = send(request("/webmail/api/session").header("Cookie", cookie).header("X-Postino-CSRF", csrf).DELETE());
        assertThat(out.statusCode()).isEqualTo(204);
        assertThat(out.headers().firstValue("Set-Cookie")).contains(SessionCookie.clear());
        assertThat(send(request("/webmail/api/session").header("Cookie", cookie)).statusCode()).isEqualTo(401);
        assertThat(send(request("/api-test").header("Cookie", cookie)).statusCode()).isEqualTo(401);
    }

    @Test
    void renderNeedsASessionAndAnIdOfThisServer() throws Exception {
        HttpResponse<String> anonymous = send(request("/webmail/api/render/123"));
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.headers().firstValue("Content-Security-Policy"))
            .contains("default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; sandbox; frame-ancestors 'self'");
        String cookie = cookieOf(signIn("alice@example.com", "secret"));
        // the message id factory is null here: any id is "no such message" before the store is asked
        HttpResponse<String> bad = send(request("/webmail/api/render/not-an-id?images=1").header("Cookie", cookie));
        assertThat(bad.statusCode()).isEqualTo(404);
        assertThat(bad.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
    }

    @Test
    void renderShowsTheOwnersMessageSanitisedAndNobodyElses() throws Exception {
        ch.qos.logback.classic.Logger root = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(
            org.slf4j.Logger.ROOT_LOGGER_NAME);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> log =
            new ch.qos.logback.core.read.ListAppender<>();
        log.start();
        root.addAppender(log);
        try {
            renderCases();
        } finally {
            root.detachAppender(log);
        }
        // one answer per request: nothing tried to answer a second time after the first was sent
        assertThat(log.list).filteredOn(event -> event.getLevel() == ch.qos.logback.classic.Level.ERROR)
            .extracting(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage)
            .singleElement().asString().contains("rendering message " + BROKEN);
    }

    private void renderCases() throws Exception {
        String alice = cookieOf(signIn("alice@example.com", "secret"));
        HttpResponse<String> rendered = send(request("/webmail/api/render/" + STORED).header("Cookie", alice));
        assertThat(rendered.statusCode()).isEqualTo(200);
        assertThat(rendered.headers().firstValue("Content-Security-Policy"))
            .contains("default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; sandbox; frame-ancestors 'self'");
        assertThat(rendered.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
        assertThat(rendered.headers().firstValue("X-Postino-Remote-Images")).contains("blocked");
        assertThat(rendered.headers().firstValue("Cache-Control")).contains("no-store");
        assertThat(rendered.body()).contains("Hello <b>Alice</b>").doesNotContain("steal").doesNotContain("tracker.test");

        HttpResponse<String> withImages = send(request("/webmail/api/render/" + STORED + "?images=1").header("Cookie", alice));
        assertThat(withImages.headers().firstValue("Content-Security-Policy"))
            .contains("default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data: https:; sandbox; frame-ancestors 'self'");
        assertThat(withImages.headers().firstValue("X-Postino-Remote-Images")).contains("shown");
        assertThat(withImages.body()).contains("src=\"https://tracker.test/p.gif\"");

        String bob = cookieOf(signIn("bob@example.com", "secret"));
        HttpResponse<String> other = send(request("/webmail/api/render/" + STORED).header("Cookie", bob));
        assertThat(other.statusCode()).isEqualTo(404);
        assertThat(other.body()).doesNotContain("Alice");

        assertThat(send(request("/webmail/api/render/" + BROKEN).header("Cookie", alice)).statusCode()).isEqualTo(500);
        assertThat(send(request("/webmail/api/render/" + STORED).header("Cookie", alice)).statusCode()).isEqualTo(200);
    }
}
