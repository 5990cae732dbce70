package org.postino.server.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.james.core.Username;
import org.junit.jupiter.api.Test;

class CsrfRuleTest {

    private final WebSessionStore.Session session = new WebSessionStore().create(Username.of("alice@example.com")).session();

    @Test
    void readingNeedsNoToken() {
        assertThat(CsrfRule.allows("GET", session, null)).isTrue();
        assertThat(CsrfRule.allows("HEAD", session, null)).isTrue();
        assertThat(CsrfRule.allows("get", session, null)).isTrue();
    }

    @Test
    void everythingElseNeedsTheSessionsToken() {
        for (String method : new String[] {"POST", "PUT", "PATCH", "DELETE", "OPTIONS", "PROPFIND"}) {
            assertThat(CsrfRule.allows(method, session, null)).as(method + " without").isFalse();
            assertThat(CsrfRule.allows(method, session, "")).as(method + " empty").isFalse();
            assertThat(CsrfRule.allows(method, session, "wrong")).as(method + " wrong").isFalse();
            assertThat(CsrfRule.allows(method, session, session.csrfToken())).as(method + " right").isTrue();
        }
    }

    @Test
    void anotherSessionsTokenIsRefused() {
        WebSessionStore.Session other = new WebSessionStore().create(Username.of("alice@example.com")).session();
        assertThat(CsrfRule.allows("POST", session, other.csrfToken())).isFalse();
    }
}
