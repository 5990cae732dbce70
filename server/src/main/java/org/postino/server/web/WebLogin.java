package org.postino.server.web;

import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

import javax.inject.Inject;

import org.apache.james.core.Username;
import org.apache.james.user.api.UsersRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Webmail sign-in: the password is checked by James's users repository, failures are counted per client address and
 * per user name ({@link LoginRateLimiter}), and every failure takes at least {@link #FAILURE_FLOOR} to answer, whether
 * the user exists or not, so timing tells no more than the (identical) answer does. A success clears the user name's
 * count, never the address's (an attacker with one account of their own must not wipe their address's record).
 * Failures are logged with the user name as typed and the client address; passwords never are.
 *
 * <p>JMAP clients' Basic authentication ({@link RateLimitedBasicAuthentication}) goes through the same counts, so a
 * password guesser gains nothing by switching between the webmail and the JMAP API. It does not clear the user
 * name's count on success: a client sends the password with every request, and its polling would otherwise wipe
 * the count of a guesser trying the same account from elsewhere.
 */
public class WebLogin {

    private static final Logger LOGGER = LoggerFactory.getLogger(WebLogin.class);

    public static final int MAX_FAILURES_PER_USER = 5;
    public static final int MAX_FAILURES_PER_ADDRESS = 20;
    public static final Duration WINDOW = Duration.ofMinutes(5);
    static final Duration FAILURE_FLOOR = Duration.ofMillis(500);
    static final int MAX_USERNAME = 320;
    static final int MAX_PASSWORD = 1024;

    public sealed interface Outcome permits SignedIn, Verified, Refused, RateLimited {
    }

    /** The password is right (no session made: {@link #verify}). */
    public record Verified(Username username) implements Outcome {
    }

    public record SignedIn(WebSessionStore.Created session) implements Outcome {
    }

    public record Refused() implements Outcome {
    }

    public record RateLimited(Duration retryAfter) implements Outcome {
    }

    private final UsersRepository users;
    private final WebSessionStore sessions;
    private final LoginRateLimiter perUser;
    private final LoginRateLimiter perAddress;
    private final Duration failureFloor;

    @Inject
    public WebLogin(UsersRepository users, WebSessionStore sessions) {
        this(users, sessions, new LoginRateLimiter(MAX_FAILURES_PER_USER, WINDOW, Clock.systemUTC()),
            new LoginRateLimiter(MAX_FAILURES_PER_ADDRESS, WINDOW, Clock.systemUTC()), FAILURE_FLOOR);
    }

    WebLogin(UsersRepository users, WebSessionStore sessions, LoginRateLimiter perUser, LoginRateLimiter perAddress,
             Duration failureFloor) {
        this.users = users;
        this.sessions = sessions;
        this.perUser = perUser;
        this.perAddress = perAddress;
        this.failureFloor = failureFloor;
    }

    public Mono<Outcome> signIn(String typedUsername, String password, String clientAddress) {
        return verify(typedUsername, password, clientAddress, "Webmail sign-in", true)
            .map(outcome -> {
                if (outcome instanceof Verified verified) {
                    LOGGER.info("Webmail sign-in of {} from {}", verified.username().asString(), clientAddress);
                    return new SignedIn(sessions.create(verified.username()));
                }
                return outcome;
            });
    }

    /**
     * Checks a password under the same rate limits and failure floor as a sign-in: {@link Verified}, {@link Refused}
     * or {@link RateLimited}. {@code what} names the attempt in log lines.
     */
    public Mono<Outcome> verify(String typedUsername, String password, String clientAddress, String what,
                                boolean successClearsUserCount) {
        String userKey = "user:" + (typedUsername == null ? "" : typedUsername.trim().toLowerCase(Locale.ROOT));
        String addressKey = "address:" + clientAddress;
        Optional<Duration> wait = longest(perUser.retryAfter(userKey), perAddress.retryAfter(addressKey));
        if (wait.isPresent()) {
            LOGGER.warn("{} refused (too many failures) for user '{}' from {}", what, printable(typedUsername),
                clientAddress);
            return Mono.just(new RateLimited(wait.get()));
        }
        long started = System.nanoTime();
        return Mono.fromCallable(() -> check(typedUsername, password))
            .subscribeOn(Schedulers.boundedElastic())
            .onErrorResume(e -> {
                LOGGER.error("{} of '{}' could not be checked", what, printable(typedUsername), e);
                return Mono.just(Optional.empty());
            })
            .flatMap(user -> {
                if (user.isPresent()) {
                    if (successClearsUserCount) {
                        perUser.reset(userKey);
                    }
                    return Mono.just((Outcome) new Verified(user.get()));
                }
                perUser.recordFailure(userKey);
                perAddress.recordFailure(addressKey);
                LOGGER.warn("{} failed for user '{}' from {}", what, printable(typedUsername), clientAddress);
                Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
                Duration remaining = failureFloor.minus(elapsed);
                Mono<Outcome> refused = Mono.just(new Refused());
                return remaining.isNegative() || remaining.isZero() ? refused : refused.delayElement(remaining);
            });
    }

    private Optional<Username> check(String typedUsername, String password) throws Exception {
        if (typedUsername == null || password == null || typedUsername.isBlank() || password.isEmpty()
            || typedUsername.length() > MAX_USERNAME || password.length() > MAX_PASSWORD) {
            return Optional.empty();
        }
        Username username;
        try {
            username = Username.of(typedUsername.trim());
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        return users.test(username, password) ? Optional.of(username) : Optional.empty();
    }

    private static Optional<Duration> longest(Optional<Duration> a, Optional<Duration> b) {
        if (a.isEmpty()) {
            return b;
        }
        if (b.isEmpty()) {
            return a;
        }
        return Optional.of(a.get().compareTo(b.get()) >= 0 ? a.get() : b.get());
    }

    /** The user name as typed, safe for a log line: control characters replaced, at most 100 characters. */
    static String printable(String typed) {
        if (typed == null) {
            return "";
        }
        StringBuilder out = new StringBuilder();
        typed.codePoints().limit(100).forEach(c -> out.appendCodePoint(Character.isISOControl(c) ? '?' : c));
        return typed.codePointCount(0, typed.length()) > 100 ? out + "..." : out.toString();
    }
}
