package org.postino.server.web;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import javax.inject.Inject;

import org.apache.james.core.Username;
import org.apache.james.jmap.exceptions.UnauthorizedException;
import org.apache.james.jmap.http.AuthenticationChallenge;
import org.apache.james.jmap.http.AuthenticationScheme;
import org.apache.james.jmap.http.AuthenticationStrategy;
import org.apache.james.mailbox.MailboxManager;
import org.apache.james.mailbox.MailboxSession;

import io.netty.handler.codec.http.HttpHeaderNames;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * HTTP Basic authentication for JMAP clients, in place of James's own: the password is checked by {@link WebLogin}
 * under the webmail's rate limits (failures counted per user name and per client address, each failure answered
 * no sooner than half a second), so the JMAP endpoint is no faster a way to guess passwords than the sign-in form.
 * A request over the limit is refused without its password being checked (401, with {@code Retry-After}).
 *
 * <p>A request without Basic credentials is left to the next strategy (the webmail's session cookie); malformed
 * Basic credentials are refused.
 */
public class RateLimitedBasicAuthentication implements AuthenticationStrategy {

    /** A refused Basic attempt: 401 with the Basic challenge, and Retry-After when over the limit. */
    static final class RefusedException extends UnauthorizedException {
        private final Duration retryAfter;

        RefusedException(String message, Duration retryAfter) {
            super(message);
            this.retryAfter = retryAfter;
        }

        Duration retryAfter() {
            return retryAfter;
        }

        @Override
        public HttpServerResponse addHeaders(HttpServerResponse response) {
            // a 401 names the scheme to use (RFC 9110 11.6.1)
            response.header("WWW-Authenticate", "Basic realm=\"simple\"");
            if (retryAfter != null) {
                response.header("Retry-After", Long.toString(Math.max(1, (retryAfter.toMillis() + 999) / 1000)));
            }
            return response;
        }
    }

    @FunctionalInterface
    interface MailboxSessions {
        MailboxSession open(Username username) throws Exception;
    }

    private final WebLogin login;
    private final MailboxSessions mailboxSessions;

    @Inject
    public RateLimitedBasicAuthentication(WebLogin login, MailboxManager mailboxManager) {
        this(login, username -> mailboxManager.authenticate(username).withoutDelegation());
    }

    RateLimitedBasicAuthentication(WebLogin login, MailboxSessions mailboxSessions) {
        this.login = login;
        this.mailboxSessions = mailboxSessions;
    }

    @Override
    public Mono<MailboxSession> createMailboxSession(HttpServerRequest request) {
        List<String> headers = request.requestHeaders().getAll(HttpHeaderNames.AUTHORIZATION);
        String basic = headers.stream().filter(value -> value.regionMatches(true, 0, "Basic ", 0, 6)).findFirst().orElse(null);
        if (basic == null) {
            return Mono.empty();
        }
        String credentials;
        try {
            credentials = new String(Base64.getDecoder().decode(basic.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return Mono.error(new RefusedException("Basic credentials are not valid base64", null));
        }
        int colon = credentials.indexOf(':');
        if (colon <= 0) {
            return Mono.error(new RefusedException("Basic credentials must be user:password", null));
        }
        String user = credentials.substring(0, colon);
        String password = credentials.substring(colon + 1);
        return login.verify(user, password, WebmailRoutes.clientAddress(request), "JMAP Basic authentication", false)
            .flatMap(outcome -> {
                if (outcome instanceof WebLogin.Verified verified) {
                    return Mono.fromCallable(() -> mailboxSessions.open(verified.username()));
                }
                if (outcome instanceof WebLogin.RateLimited limited) {
                    return Mono.error(new RefusedException("Too many failed sign-ins; try again later", limited.retryAfter()));
                }
                // a wrong password: like James's own strategy, no session, so the client gets 401 and the challenges
                return Mono.empty();
            });
    }

    @Override
    public AuthenticationChallenge correspondingChallenge() {
        return AuthenticationChallenge.of(AuthenticationScheme.of("Basic"), Map.of("realm", "simple"));
    }
}
