package org.postino.server.web;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import javax.inject.Inject;

import org.apache.james.core.Username;
import org.apache.james.jmap.exceptions.UnauthorizedException;
import org.apache.james.jmap.http.AuthenticationChallenge;
import org.apache.james.jmap.http.AuthenticationScheme;
import org.apache.james.jmap.http.AuthenticationStrategy;
import org.apache.james.mailbox.MailboxManager;
import org.apache.james.mailbox.MailboxSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.netty.handler.codec.http.HttpHeaderNames;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerRequest;

/**
 * JMAP requests of the webmail, authenticated by its session cookie ({@link SessionCookie}) instead of a password.
 * James asks each configured strategy in turn ({@code authentication.strategy.rfc8621}); this one, listed after Basic:
 * <ul>
 *   <li>no session cookie: not for this strategy (the request gets James's 401 and its challenges if no other
 *       strategy takes it);</li>
 *   <li>a cookie naming no live session: refused with a 401 that carries no {@code WWW-Authenticate} challenge, so a
 *       browser whose session ended does not pop up its own password dialog (unless the request also carries an
 *       {@code Authorization} header, which the other strategies judge);</li>
 *   <li>a live session: every method but GET/HEAD must carry {@value CsrfRule#HEADER} with the session's token
 *       ({@link CsrfRule}), and a WebSocket upgrade must come from this origin ({@code Origin}); else 401.</li>
 * </ul>
 */
public class CookieAuthenticationStrategy implements AuthenticationStrategy {

    private static final Logger LOGGER = LoggerFactory.getLogger(CookieAuthenticationStrategy.class);

    /** A cookie-authenticated request refused; no challenge header, see the class comment. */
    static final class RefusedException extends UnauthorizedException {
        RefusedException(String message) {
            super(message);
        }
    }

    /** Opens the mailbox session of a signed-in user. */
    @FunctionalInterface
    interface MailboxSessions {
        MailboxSession open(Username username) throws Exception;
    }

    private final WebSessionStore sessions;
    private final SameOrigin sameOrigin;
    private final MailboxSessions mailboxSessions;

    @Inject
    public CookieAuthenticationStrategy(WebSessionStore sessions, SameOrigin sameOrigin, MailboxManager mailboxManager) {
        this(sessions, sameOrigin, username -> mailboxManager.authenticate(username).withoutDelegation());
    }

    CookieAuthenticationStrategy(WebSessionStore sessions, SameOrigin sameOrigin,
                                 MailboxSessions mailboxSessions) {
        this.sessions = sessions;
        this.sameOrigin = sameOrigin;
        this.mailboxSessions = mailboxSessions;
    }

    @Override
    public Mono<MailboxSession> createMailboxSession(HttpServerRequest request) {
        List<String> ids = SessionCookie.values(request.requestHeaders());
        if (ids.isEmpty()) {
            return Mono.empty();
        }
        Optional<WebSessionStore.Session> session = sessions.findAny(ids);
        if (session.isEmpty()) {
            if (request.requestHeaders().contains(HttpHeaderNames.AUTHORIZATION)) {
                return Mono.empty();
            }
            return Mono.error(new RefusedException("The webmail session has ended; sign in again"));
        }
        String method = request.method().name();
        if (!CsrfRule.allows(method, session.get(), request.requestHeaders().get(CsrfRule.HEADER))) {
            LOGGER.warn("Webmail: {} {} of {} refused: missing or wrong {} header", method, request.path(),
                session.get().username().asString(), CsrfRule.HEADER);
            return Mono.error(new RefusedException("Missing or wrong " + CsrfRule.HEADER + " header"));
        }
        if (isWebSocketUpgrade(request) && !sameOrigin.check(request)) {
            LOGGER.warn("Webmail: WebSocket of {} refused: Origin {} is not this server", session.get().username().asString(),
                request.requestHeaders().get(HttpHeaderNames.ORIGIN));
            return Mono.error(new RefusedException("WebSocket from another origin"));
        }
        Username username = session.get().username();
        return Mono.fromCallable(() -> mailboxSessions.open(username));
    }

    private static boolean isWebSocketUpgrade(HttpServerRequest request) {
        return "websocket".equalsIgnoreCase(request.requestHeaders().get(HttpHeaderNames.UPGRADE));
    }

    @Override
    public AuthenticationChallenge correspondingChallenge() {
        return AuthenticationChallenge.of(AuthenticationScheme.of("PostinoSession"), Map.of("realm", "webmail"));
    }
}
