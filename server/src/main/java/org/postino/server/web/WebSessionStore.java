package org.postino.server.web;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.james.core.Username;

/**
 * The webmail's sessions, in memory: a restart signs everyone out. A session ends after {@link #IDLE} without use or
 * {@link #ABSOLUTE} after sign-in, whichever comes first. Session ids and CSRF tokens are 256 random bits
 * ({@link SecureRandom}), base64url; the store keys sessions by the SHA-256 of their id, so neither a lookup's timing
 * nor a heap dump gives a usable cookie away. A user keeps at most {@link #MAX_PER_USER} sessions (the oldest goes).
 */
public class WebSessionStore {

    public static final Duration IDLE = Duration.ofMinutes(30);
    public static final Duration ABSOLUTE = Duration.ofHours(12);
    static final int MAX_PER_USER = 20;
    private static final Duration SWEEP_EVERY = Duration.ofMinutes(1);

    /** One signed-in browser. */
    public static final class Session {
        private final Username username;
        private final String csrfToken;
        private final Instant created;
        private volatile Instant lastSeen;

        Session(Username username, String csrfToken, Instant created) {
            this.username = username;
            this.csrfToken = csrfToken;
            this.created = created;
            this.lastSeen = created;
        }

        public Username username() {
            return username;
        }

        public String csrfToken() {
            return csrfToken;
        }

        Instant created() {
            return created;
        }

        boolean expiredAt(Instant now, Duration idle, Duration absolute) {
            return !now.isBefore(lastSeen.plus(idle)) || !now.isBefore(created.plus(absolute));
        }

        /** Whether {@code header} is this session's CSRF token (constant-time comparison). */
        public boolean csrfMatches(String header) {
            return header != null && MessageDigest.isEqual(csrfToken.getBytes(StandardCharsets.US_ASCII),
                header.getBytes(StandardCharsets.UTF_8));
        }
    }

    /** A new session and the id the browser keeps in its cookie (the store does not keep the id itself). */
    public record Created(String id, Session session) {
    }

    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();
    private final Clock clock;
    private final Duration idle;
    private final Duration absolute;
    private volatile Instant nextSweep;

    public WebSessionStore() {
        this(Clock.systemUTC(), IDLE, ABSOLUTE);
    }

    WebSessionStore(Clock clock, Duration idle, Duration absolute) {
        this.clock = clock;
        this.idle = idle;
        this.absolute = absolute;
        this.nextSweep = clock.instant().plus(SWEEP_EVERY);
    }

    public Created create(Username username) {
        sweepIfDue();
        Instant now = clock.instant();
        String id = randomToken();
        Session session = new Session(username, randomToken(), now);
        sessions.put(key(id), session);
        limitSessionsOf(username);
        return new Created(id, session);
    }

    /** The live session with this id, which this use keeps alive; empty when unknown or expired. */
    public Optional<Session> find(String id) {
        sweepIfDue();
        if (id == null || id.isEmpty() || id.length() > 100) {
            return Optional.empty();
        }
        String key = key(id);
        Session session = sessions.get(key);
        if (session == null) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        if (session.expiredAt(now, idle, absolute)) {
            sessions.remove(key, session);
            return Optional.empty();
        }
        session.lastSeen = now;
        return Optional.of(session);
    }

    /** The first live session among these ids (a request may carry more than one cookie of the name). */
    public Optional<Session> findAny(java.util.List<String> ids) {
        for (String id : ids) {
            Optional<Session> session = find(id);
            if (session.isPresent()) {
                return session;
            }
        }
        return Optional.empty();
    }

    public void remove(String id) {
        if (id != null && id.length() <= 100) {
            sessions.remove(key(id));
        }
    }

    int size() {
        return sessions.size();
    }

    private void limitSessionsOf(Username username) {
        while (true) {
            var mine = sessions.entrySet().stream().filter(entry -> entry.getValue().username.equals(username)).toList();
            if (mine.size() <= MAX_PER_USER) {
                return;
            }
            mine.stream().min(Comparator.comparing(entry -> entry.getValue().created))
                .ifPresent(oldest -> sessions.remove(oldest.getKey(), oldest.getValue()));
        }
    }

    private void sweepIfDue() {
        Instant now = clock.instant();
        if (now.isBefore(nextSweep)) {
            return;
        }
        nextSweep = now.plus(SWEEP_EVERY);
        sessions.entrySet().removeIf(entry -> entry.getValue().expiredAt(now, idle, absolute));
    }

    private String randomToken() {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static String key(String id) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
