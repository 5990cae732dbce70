package org.postino.server.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.apache.james.core.Username;
import org.junit.jupiter.api.Test;

class WebSessionStoreTest {

    private static final Username ALICE = Username.of("alice@example.com");
    private final MutableClock clock = new MutableClock();
    private final WebSessionStore store = new WebSessionStore(clock, WebSessionStore.IDLE, WebSessionStore.ABSOLUTE);

    @Test
    void timeoutsAreThoseOfTheContract() {
        assertThat(WebSessionStore.IDLE).isEqualTo(Duration.ofMinutes(30));
        assertThat(WebSessionStore.ABSOLUTE).isEqualTo(Duration.ofHours(12));
    }

    @Test
    void idsAndTokensAre256RandomBitsEachTimeDifferent() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            WebSessionStore.Created created = store.create(Username.of("user" + i + "@example.com"));
            assertThat(Base64.getUrlDecoder().decode(created.id())).hasSize(32);
            assertThat(Base64.getUrlDecoder().decode(created.session().csrfToken())).hasSize(32);
            assertThat(seen.add(created.id())).isTrue();
            assertThat(seen.add(created.session().csrfToken())).isTrue();
        }
    }

    @Test
    void aSessionIsFoundByItsIdOnly() {
        WebSessionStore.Created created = store.create(ALICE);
        assertThat(store.find(created.id())).map(WebSessionStore.Session::username).contains(ALICE);
        assertThat(store.find(created.id() + "x")).isEmpty();
        assertThat(store.find(created.session().csrfToken())).isEmpty();
        assertThat(store.find("")).isEmpty();
        assertThat(store.find(null)).isEmpty();
        assertThat(store.findAny(List.of("nope", created.id()))).isPresent();
    }

    @Test
    void idleTimeoutEndsAnUnusedSession() {
        WebSessionStore.Created created = store.create(ALICE);
        clock.advance(Duration.ofMinutes(29));
        assertThat(store.find(created.id())).isPresent();
        clock.advance(Duration.ofMinutes(29));
        assertThat(store.find(created.id())).as("used 29 minutes ago").isPresent();
        clock.advance(Duration.ofMinutes(30));
        assertThat(store.find(created.id())).as("unused for 30 minutes").isEmpty();
        clock.advance(Duration.ofMinutes(1));
        assertThat(store.find(created.id())).as("gone for good").isEmpty();
    }

    @Test
    void absoluteTimeoutEndsASessionEvenInUse() {
        WebSessionStore.Created created = store.create(ALICE);
        for (int i = 0; i < 47; i++) {
            clock.advance(Duration.ofMinutes(15));
            assertThat(store.find(created.id())).as("after %d minutes", (i + 1) * 15).isPresent();
        }
        clock.advance(Duration.ofMinutes(15));
        assertThat(store.find(created.id())).as("12 hours after sign-in").isEmpty();
    }

    @Test
    void expiredSessionsAreSweptAway() {
        for (int i = 0; i < 10; i++) {
            store.create(Username.of("user" + i + "@example.com"));
        }
        clock.advance(Duration.ofHours(1));
        store.create(ALICE);
        assertThat(store.size()).isEqualTo(1);
    }

    @Test
    void removeEndsTheSession() {
        WebSessionStore.Created created = store.create(ALICE);
        store.remove(created.id());
        assertThat(store.find(created.id())).isEmpty();
    }

    @Test
    void aUserKeepsABoundedNumberOfSessionsTheOldestGoing() {
        WebSessionStore.Created first = store.create(ALICE);
        clock.advance(Duration.ofSeconds(1));
        WebSessionStore.Created last = null;
        for (int i = 0; i < WebSessionStore.MAX_PER_USER; i++) {
            last = store.create(ALICE);
            clock.advance(Duration.ofSeconds(1));
        }
        assertThat(store.find(first.id())).isEmpty();
        assertThat(store.find(last.id())).isPresent();
        assertThat(store.size()).isEqualTo(WebSessionStore.MAX_PER_USER);
    }

    @Test
    void csrfTokenComparison() {
        WebSessionStore.Session session = store.create(ALICE).session();
        assertThat(session.csrfMatches(session.csrfToken())).isTrue();
        assertThat(session.csrfMatches(session.csrfToken() + "a")).isFalse();
        assertThat(session.csrfMatches("")).isFalse();
        assertThat(session.csrfMatches(null)).isFalse();
    }
}
