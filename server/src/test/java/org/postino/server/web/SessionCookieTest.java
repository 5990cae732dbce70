package org.postino.server.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;

class SessionCookieTest {

    @Test
    void theCookieIsHostOnlySecureHttpOnlyStrictAndSessionLong() {
        String header = SessionCookie.set("abc");
        assertThat(header).isEqualTo("__Host-postino=abc; Path=/; Secure; HttpOnly; SameSite=Strict");
        assertThat(header).doesNotContainIgnoringCase("domain=").doesNotContainIgnoringCase("expires")
            .doesNotContainIgnoringCase("max-age");
    }

    @Test
    void clearingKeepsTheAttributesAndExpiresAtOnce() {
        assertThat(SessionCookie.clear()).isEqualTo("__Host-postino=; Max-Age=0; Path=/; Secure; HttpOnly; SameSite=Strict");
    }

    @Test
    void valuesAreReadFromAmongOtherCookies() {
        HttpHeaders headers = new DefaultHttpHeaders()
            .add("Cookie", "theme=dark; __Host-postino=first; x__Host-postino=no")
            .add("Cookie", "__Host-postino=\"second\"; __Host-postino=");
        assertThat(SessionCookie.values(headers)).containsExactly("first", "second");
        assertThat(SessionCookie.values(new DefaultHttpHeaders())).isEmpty();
        assertThat(SessionCookie.values(new DefaultHttpHeaders().add("Cookie", "__host-postino=lower"))).isEmpty();
    }
}
