package org.postino.server.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.james.core.Username;
import org.apache.james.jmap.exceptions.UnauthorizedException;
import org.apache.james.mailbox.MailboxSessionUtil;
import org.apache.james.user.api.UsersRepository;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.netty.handler.codec.http.HttpResponseStatus;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/** JMAP's Basic authentication shares the webmail sign-in's rate limits (over a real HTTP exchange). */
class RateLimitedBasicAuthenticationTest {
    private static final Duration FLOOR = Duration.ofMillis(50);

    private final HttpClient http = HttpClient.newHttpClient();
    private final MutableClock clock = new MutableClock();
    private final AtomicInteger passwordChecks = new AtomicInteger();
    private WebLogin login;
    private DisposableServer server;

    @BeforeEach
    void start() {
        UsersRepository users = (UsersRepository) Proxy.newProxyInstance(getClass().getClassLoader(),
            new Class<?>[] {UsersRepository.class}, (proxy, method, args) -> {
                if (method.getName().equals("test")) {
                    passwordChecks.incrementAndGet();
                    return args[0].equals(Username.of("alice@example.com")) && args[1].equals("se:cret");
                }
                throw new UnsupportedOperationException(method.getName());
            });
        login = new WebLogin(users, new WebSessionStore(), new LoginRateLimiter(5, Duration.ofMinutes(5), clock),
            new LoginRateLimiter(20, Duration.ofMinutes(5), clock), FLOOR);
        RateLimitedBasicAuthentication strategy = new RateLimitedBasicAuthentication(login, MailboxSessionUtil::create);
        // what James's JMAP authenticator does with a strategy's answer: a session, nothing (401), or its refusal
        server = HttpServer.create().host("127.0.0.1").port(0)
            .handle((req, res) -> strategy.createMailboxSession(req)
                .flatMap(session -> res.status(HttpResponseStatus.OK).sendString(Mono.just(session.getUser().asString())).then())
                .switchIfEmpty(Mono.defer(() -> res.status(HttpResponseStatus.UNAUTHORIZED).sendString(Mono.just("none")).then()))
                .onErrorResume(UnauthorizedException.class, e -> e.addHeaders(res.status(HttpResponseStatus.UNAUTHORIZED))
                    .sendString(Mono.just("refused: " + e.getMessage())).then()))
            .bindNow();
    }

    @AfterEach
    void stop() {
        server.disposeNow();
    }

    private HttpResponse<String> get(String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/jmap/session"))
            .timeout(Duration.ofSeconds(20));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void theRightPasswordOpensASessionAndAWrongOneLeavesTheRequestUnauthenticated() throws Exception {
        HttpResponse<String> right = get(basic("alice@example.com", "se:cret"));
        assertThat(right.statusCode()).isEqualTo(200);
        assertThat(right.body()).isEqualTo("alice@example.com");

        long started = System.nanoTime();
        HttpResponse<String> wrong = get(basic("alice@example.com", "guess"));
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(wrong.body()).isEqualTo("none");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(FLOOR);
    }

    @Test
    void requestsWithoutBasicCredentialsAreLeftToTheNextStrategy() throws Exception {
        assertThat(get(null).body()).isEqualTo("none");
        assertThat(get("Bearer abc").body()).isEqualTo("none");
        assertThat(passwordChecks).hasValue(0);
    }

    @Test
    void malformedBasicCredentialsAreRefused() throws Exception {
        assertThat(get("Basic %%%").body()).startsWith("refused: ").contains("base64");
        assertThat(get("Basic " + Base64.getEncoder().encodeToString("no-colon".getBytes(StandardCharsets.UTF_8))).body())
            .startsWith("refused: ").contains("user:password");
        assertThat(passwordChecks).hasValue(0);
    }

    @Test
    void afterFiveFailuresEvenTheRightPasswordIsRefusedUncheckedUntilTheWindowPasses() throws Exception {
        for (int i = 0; i < 5; i++) {
            assertThat(get(basic("alice@example.com", "guess" + i)).statusCode()).isEqualTo(401);
        }
        int checks = passwordChecks.get();

        HttpResponse<String> limited = get(basic("alice@example.com", "se:cret"));

        assertThat(limited.statusCode()).isEqualTo(401);
        assertThat(limited.body()).contains("Too many failed sign-ins");
        assertThat(limited.headers().firstValue("WWW-Authenticate")).contains("Basic realm=\"simple\"");
        assertThat(limited.headers().firstValue("Retry-After")).hasValueSatisfying(value -> assertThat(Long.parseLong(value)).isBetween(1L, 300L));
        assertThat(passwordChecks).as("the password is not checked while limited").hasValue(checks);

        clock.advance(Duration.ofMinutes(5).plusSeconds(1));
        assertThat(get(basic("alice@example.com", "se:cret")).statusCode()).isEqualTo(200);
    }

    @Test
    void failuresCountTogetherWithWebmailSignInsAndASuccessDoesNotClearThem() throws Exception {
        for (int i = 0; i < 3; i++) {
            assertThat(get(basic("alice@example.com", "guess" + i)).statusCode()).isEqualTo(401);
        }
        // the user's own client keeps polling with the right password meanwhile
        assertThat(get(basic("alice@example.com", "se:cret")).statusCode()).isEqualTo(200);
        for (int i = 0; i < 2; i++) {
            assertThat(login.signIn("alice@example.com", "guess-web" + i, "198.51.100.7").block())
                .isInstanceOf(WebLogin.Refused.class);
        }

        assertThat(get(basic("alice@example.com", "guess-again")).body()).contains("Too many failed sign-ins");
        assertThat(login.signIn("alice@example.com", "se:cret", "198.51.100.7").block()).isInstanceOf(WebLogin.RateLimited.class);
    }
}
