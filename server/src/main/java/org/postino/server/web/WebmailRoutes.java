package org.postino.server.web;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import javax.inject.Inject;

import org.apache.james.core.Username;
import org.apache.james.jmap.Endpoint;
import org.apache.james.jmap.JMAPRoute;
import org.apache.james.jmap.JMAPRoutes;
import org.apache.james.mailbox.MailboxManager;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.MessageIdManager;
import org.apache.james.mailbox.model.FetchGroup;
import org.apache.james.mailbox.model.MessageId;
import org.apache.james.mailbox.model.MessageResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.common.hash.Hashing;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * The webmail's HTTP side, on the JMAP listener (see /work/notes/webmail-contract.md in the project notes, and
 * conf/README.md "Webmail"): the front-end's static files, the session API (sign in, current session, sign out) and
 * the rendering of a message's body as a sanitised, sandboxed HTML document.
 */
public class WebmailRoutes implements JMAPRoutes {

    private static final Logger LOGGER = LoggerFactory.getLogger(WebmailRoutes.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final int MAX_LOGIN_BODY = 16 * 1024;

    /** The front-end's policy: its own scripts, styles, images, frames (message rendering) and API only. */
    public static final String WEBMAIL_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; "
        + "img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; frame-src 'self'; form-action 'self'; "
        + "base-uri 'none'; frame-ancestors 'none'";
    static final String RENDER_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; sandbox; "
        + "frame-ancestors 'self'";
    static final String RENDER_CSP_WITH_IMAGES = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data: "
        + "https:; sandbox; frame-ancestors 'self'";
    static final String REMOTE_IMAGES_HEADER = "X-Postino-Remote-Images";
    private static final String HSTS = "max-age=31536000";

    private final WebmailStaticFiles files;
    private final WebLogin login;
    private final WebSessionStore sessions;
    private final SameOrigin sameOrigin;
    private final MailboxManager mailboxManager;
    private final MessageIdManager messageIdManager;
    private final MessageId.Factory messageIds;

    @Inject
    public WebmailRoutes(WebmailStaticFiles files, WebLogin login, WebSessionStore sessions, SameOrigin sameOrigin,
                         MailboxManager mailboxManager, MessageIdManager messageIdManager, MessageId.Factory messageIds) {
        this.files = files;
        this.login = login;
        this.sessions = sessions;
        this.sameOrigin = sameOrigin;
        this.mailboxManager = mailboxManager;
        this.messageIdManager = messageIdManager;
        this.messageIds = messageIds;
    }

    @Override
    public Stream<JMAPRoute> routes() {
        return Stream.of(
            route(HttpMethod.GET, Endpoint.ofFixedPath(HttpMethod.GET, "/"), (req, res) -> redirect(res, "/webmail/")),
            route(HttpMethod.GET, Endpoint.ofFixedPath(HttpMethod.GET, "/webmail"), (req, res) -> redirect(res, "/webmail/")),
            route(HttpMethod.POST, Endpoint.ofFixedPath(HttpMethod.POST, "/webmail/api/session"), this::signIn),
            route(HttpMethod.GET, Endpoint.ofFixedPath(HttpMethod.GET, "/webmail/api/session"), this::currentSession),
            route(HttpMethod.DELETE, Endpoint.ofFixedPath(HttpMethod.DELETE, "/webmail/api/session"), this::signOut),
            route(HttpMethod.GET, new Endpoint(HttpMethod.GET, "/webmail/api/render/{emailId}"), this::render),
            route(HttpMethod.GET, Endpoint.ofFixedPath(HttpMethod.GET, "/webmail/"), this::index),
            route(HttpMethod.GET, Endpoint.ofFixedPath(HttpMethod.GET, "/webmail/index.html"), this::index),
            route(HttpMethod.GET, new Endpoint(HttpMethod.GET, "/webmail/assets/{file}"), this::asset),
            route(HttpMethod.GET, new Endpoint(HttpMethod.GET, "/webmail/**"), (req, res) -> notFound(res)));
    }

    private static JMAPRoute route(HttpMethod method, Endpoint endpoint, JMAPRoute.Action action) {
        return JMAPRoute.builder().endpoint(endpoint).action(action).noCorsHeaders();
    }

    // ---- static files

    private Mono<Void> index(HttpServerRequest request, HttpServerResponse response) {
        Optional<WebmailStaticFiles.File> index = files.index();
        if (index.isEmpty()) {
            byte[] page = WebmailStaticFiles.notInstalledPage();
            return send(webmailHeaders(response).status(HttpResponseStatus.SERVICE_UNAVAILABLE)
                .header(HttpHeaderNames.CACHE_CONTROL, "no-store"), "text/html; charset=utf-8", page);
        }
        return sendFile(response, index.get());
    }

    private Mono<Void> asset(HttpServerRequest request, HttpServerResponse response) {
        return files.asset(request.param("file"))
            .map(file -> sendFile(response, file))
            .orElseGet(() -> notFound(response));
    }

    private Mono<Void> sendFile(HttpServerResponse response, WebmailStaticFiles.File file) {
        return send(webmailHeaders(response).status(HttpResponseStatus.OK)
            .header(HttpHeaderNames.CACHE_CONTROL, file.cacheControl()), file.contentType(), file.content());
    }

    private Mono<Void> notFound(HttpServerResponse response) {
        return send(webmailHeaders(response).status(HttpResponseStatus.NOT_FOUND)
            .header(HttpHeaderNames.CACHE_CONTROL, "no-store"), "text/plain; charset=utf-8",
            "Not found\n".getBytes(StandardCharsets.UTF_8));
    }

    private static Mono<Void> redirect(HttpServerResponse response, String location) {
        return webmailHeaders(response).status(HttpResponseStatus.FOUND)
            .header(HttpHeaderNames.LOCATION, location)
            .header(HttpHeaderNames.CACHE_CONTROL, "no-store")
            .header(HttpHeaderNames.CONTENT_LENGTH, "0")
            .send().then();
    }

    /** The headers of every webmail response (the contract's list). */
    static HttpServerResponse webmailHeaders(HttpServerResponse response) {
        return response
            .header("Content-Security-Policy", WEBMAIL_CSP)
            .header("X-Content-Type-Options", "nosniff")
            .header("Referrer-Policy", "no-referrer")
            .header("X-Frame-Options", "DENY")
            .header("Strict-Transport-Security", HSTS);
    }

    // ---- session API

    private Mono<Void> signIn(HttpServerRequest request, HttpServerResponse response) {
        String contentType = request.requestHeaders().get(HttpHeaderNames.CONTENT_TYPE, "");
        if (!contentType.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
            return json(response, HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE, Map.of("error", "unsupported-media-type"));
        }
        if (!sameOrigin.checkIfPresent(request)) {
            LOGGER.warn("Webmail sign-in refused: Origin {} is not this server ({})",
                request.requestHeaders().get(HttpHeaderNames.ORIGIN), clientAddress(request));
            return json(response, HttpResponseStatus.FORBIDDEN, Map.of("error", "forbidden-origin"));
        }
        String address = clientAddress(request);
        return body(request, MAX_LOGIN_BODY)
            .map(bytes -> {
                try {
                    JsonNode node = JSON.readTree(bytes);
                    if (node == null || !node.isObject() || !node.path("username").isTextual()
                        || !node.path("password").isTextual()) {
                        return Optional.<String[]>empty();
                    }
                    return Optional.of(new String[] {node.get("username").asText(), node.get("password").asText()});
                } catch (java.io.IOException e) {
                    return Optional.<String[]>empty();
                }
            })
            .flatMap(credentials -> credentials.isEmpty()
                ? json(response, HttpResponseStatus.BAD_REQUEST, Map.of("error", "bad-request"))
                : login.signIn(credentials.get()[0], credentials.get()[1], address)
                    .flatMap(outcome -> answerSignIn(request, response, outcome)))
            .onErrorResume(TooLarge.class,
                e -> json(response, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, Map.of("error", "too-large")));
    }

    private Mono<Void> answerSignIn(HttpServerRequest request, HttpServerResponse response, WebLogin.Outcome outcome) {
        if (outcome instanceof WebLogin.SignedIn signedIn) {
            SessionCookie.values(request.requestHeaders()).forEach(sessions::remove);
            response.addHeader(HttpHeaderNames.SET_COOKIE, SessionCookie.set(signedIn.session().id()));
            return json(response, HttpResponseStatus.OK, sessionJson(signedIn.session().session()));
        }
        if (outcome instanceof WebLogin.RateLimited limited) {
            long seconds = Math.max(1, (limited.retryAfter().toMillis() + 999) / 1000);
            response.header(HttpHeaderNames.RETRY_AFTER, Long.toString(seconds));
            return json(response, HttpResponseStatus.TOO_MANY_REQUESTS, Map.of("error", "rate-limited"));
        }
        return json(response, HttpResponseStatus.UNAUTHORIZED, Map.of("error", "invalid-credentials"));
    }

    private Mono<Void> currentSession(HttpServerRequest request, HttpServerResponse response) {
        return sessions.findAny(SessionCookie.values(request.requestHeaders()))
            .map(session -> json(response, HttpResponseStatus.OK, sessionJson(session)))
            .orElseGet(() -> json(response, HttpResponseStatus.UNAUTHORIZED, Map.of("error", "no-session")));
    }

    private Mono<Void> signOut(HttpServerRequest request, HttpServerResponse response) {
        List<String> ids = SessionCookie.values(request.requestHeaders());
        Optional<WebSessionStore.Session> session = sessions.findAny(ids);
        if (session.isPresent() && !CsrfRule.allows("DELETE", session.get(), request.requestHeaders().get(CsrfRule.HEADER))) {
            LOGGER.warn("Webmail: sign-out of {} refused: missing or wrong {} header", session.get().username().asString(),
                CsrfRule.HEADER);
            return json(response, HttpResponseStatus.UNAUTHORIZED, Map.of("error", "csrf"));
        }
        ids.forEach(sessions::remove);
        session.ifPresent(s -> LOGGER.info("Webmail sign-out of {}", s.username().asString()));
        return webmailHeaders(response).status(HttpResponseStatus.NO_CONTENT)
            .header(HttpHeaderNames.CACHE_CONTROL, "no-store")
            .addHeader(HttpHeaderNames.SET_COOKIE, SessionCookie.clear())
            .send().then();
    }

    private static Map<String, Object> sessionJson(WebSessionStore.Session session) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("username", session.username().asString());
        body.put("csrfToken", session.csrfToken());
        return body;
    }

    private static Mono<Void> json(HttpServerResponse response, HttpResponseStatus status, Map<String, ?> body) {
        byte[] bytes;
        try {
            bytes = JSON.writeValueAsBytes(body);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return Mono.error(e);
        }
        return send(webmailHeaders(response).status(status).header(HttpHeaderNames.CACHE_CONTROL, "no-store"),
            "application/json; charset=utf-8", bytes);
    }

    // ---- rendering

    private Mono<Void> render(HttpServerRequest request, HttpServerResponse response) {
        boolean images = new QueryStringDecoder(request.uri()).parameters()
            .getOrDefault("images", List.of("0")).stream().findFirst().orElse("0").equals("1");
        Optional<WebSessionStore.Session> session = sessions.findAny(SessionCookie.values(request.requestHeaders()));
        if (session.isEmpty()) {
            return renderPage(response, HttpResponseStatus.UNAUTHORIZED, false, "Your session has ended. Sign in again.");
        }
        Username username = session.get().username();
        MessageId id;
        try {
            id = messageIds.fromString(request.param("emailId"));
        } catch (RuntimeException e) {
            return renderPage(response, HttpResponseStatus.NOT_FOUND, false, "No such message.");
        }
        // decided completely (found, not found, failed) before anything is sent: one answer per request
        return Mono.fromCallable(() -> mailboxManager.authenticate(username).withoutDelegation())
            .flatMap(mailboxSession -> find(id, mailboxSession))
            .flatMap(message -> Mono.fromCallable(() -> {
                try (InputStream content = message.getFullContent().getInputStream()) {
                    return MessageRenderer.render(content, id.serialize(), accountId(username), images);
                }
            }))
            .map(Optional::of)
            .defaultIfEmpty(Optional.empty())
            .subscribeOn(Schedulers.boundedElastic())
            .onErrorResume(e -> {
                LOGGER.error("Webmail: rendering message {} for {} failed", id.serialize(), username.asString(), e);
                return Mono.just(Optional.of(FAILED));
            })
            .flatMap(rendered -> {
                if (rendered.isEmpty()) {
                    return renderPage(response, HttpResponseStatus.NOT_FOUND, images, "No such message.");
                }
                if (rendered.get() == FAILED) {
                    return renderPage(response, HttpResponseStatus.INTERNAL_SERVER_ERROR, images,
                        "This message could not be shown.");
                }
                return send(renderHeaders(response, images)
                        .status(HttpResponseStatus.OK)
                        .header(REMOTE_IMAGES_HEADER, rendered.get().remoteImages().header()),
                    "text/html; charset=utf-8", rendered.get().document().getBytes(StandardCharsets.UTF_8));
            });
    }

    private static final MessageRenderer.Rendered FAILED = new MessageRenderer.Rendered("", MessageHtmlSanitizer.RemoteImages.NONE);

    /** The message if this user's session may read it (James checks the mailbox rights); empty otherwise. */
    private Mono<MessageResult> find(MessageId id, MailboxSession mailboxSession) {
        return reactor.core.publisher.Flux.from(
            messageIdManager.getMessagesReactive(List.of(id), FetchGroup.FULL_CONTENT, mailboxSession)).next();
    }

    private static Mono<Void> renderPage(HttpServerResponse response, HttpResponseStatus status, boolean images, String text) {
        String page = "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"></head><body><p>"
            + MessageRenderer.escape(text) + "</p></body></html>\n";
        return send(renderHeaders(response, images).status(status).header(REMOTE_IMAGES_HEADER, "none"),
            "text/html; charset=utf-8", page.getBytes(StandardCharsets.UTF_8));
    }

    static HttpServerResponse renderHeaders(HttpServerResponse response, boolean images) {
        return response
            .header("Content-Security-Policy", images ? RENDER_CSP_WITH_IMAGES : RENDER_CSP)
            .header("X-Content-Type-Options", "nosniff")
            .header("Referrer-Policy", "no-referrer")
            .header("X-Frame-Options", "SAMEORIGIN")
            .header("Strict-Transport-Security", HSTS)
            .header(HttpHeaderNames.CACHE_CONTROL, "no-store");
    }

    /** James's JMAP account id of a user: the SHA-256 of the user name, in hexadecimal. */
    static String accountId(Username username) {
        return Hashing.sha256().hashString(username.asString(), StandardCharsets.UTF_8).toString();
    }

    // ---- plumbing

    private static Mono<Void> send(HttpServerResponse response, String contentType, byte[] body) {
        return response.header(HttpHeaderNames.CONTENT_TYPE, contentType)
            .header(HttpHeaderNames.CONTENT_LENGTH, Integer.toString(body.length))
            .sendByteArray(Mono.just(body))
            .then();
    }

    static String clientAddress(HttpServerRequest request) {
        InetSocketAddress remote = request.remoteAddress();
        if (remote == null) {
            return "unknown";
        }
        return remote.getAddress() != null ? remote.getAddress().getHostAddress() : remote.getHostString();
    }

    private static final class TooLarge extends RuntimeException {
        TooLarge() {
            super("request body too large", null, false, false);
        }
    }

    private static Mono<byte[]> body(HttpServerRequest request, int limit) {
        return Mono.defer(() -> {
            ByteArrayOutputStream collected = new ByteArrayOutputStream();
            return request.receive().asByteArray()
                .doOnNext(bytes -> {
                    if (collected.size() + bytes.length > limit) {
                        throw new TooLarge();
                    }
                    collected.writeBytes(bytes);
                })
                .then(Mono.fromCallable(collected::toByteArray));
        });
    }
}
