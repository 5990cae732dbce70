package org.postino.server.web;

import java.util.ArrayList;
import java.util.List;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;

/**
 * The webmail's session cookie. The {@code __Host-} prefix makes browsers accept it only from this origin over HTTPS,
 * with {@code Path=/} and no {@code Domain}, so a sibling host cannot plant or overwrite it; {@code HttpOnly} keeps it
 * from scripts; {@code SameSite=Strict} keeps it off requests started by other sites. It has no expiry: the browser
 * forgets it when it closes, the server's timeouts end it earlier.
 */
public final class SessionCookie {

    public static final String NAME = "__Host-postino";
    private static final String ATTRIBUTES = "; Path=/; Secure; HttpOnly; SameSite=Strict";

    private SessionCookie() {
    }

    /** The {@code Set-Cookie} value that gives the browser a session id. */
    public static String set(String sessionId) {
        return NAME + "=" + sessionId + ATTRIBUTES;
    }

    /** The {@code Set-Cookie} value that makes the browser drop the cookie. */
    public static String clear() {
        return NAME + "=; Max-Age=0" + ATTRIBUTES;
    }

    /** The values of every {@value #NAME} cookie the request carries (normally one), in order. */
    public static List<String> values(HttpHeaders headers) {
        List<String> values = new ArrayList<>();
        for (String header : headers.getAll(HttpHeaderNames.COOKIE)) {
            for (String pair : header.split(";")) {
                int equals = pair.indexOf('=');
                if (equals > 0 && pair.substring(0, equals).trim().equals(NAME)) {
                    String value = pair.substring(equals + 1).trim();
                    if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                        value = value.substring(1, value.length() - 1);
                    }
                    if (!value.isEmpty()) {
                        values.add(value);
                    }
                }
            }
        }
        return values;
    }
}
