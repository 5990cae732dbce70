package org.postino.server.web;

import java.util.Locale;

/**
 * Requests authenticated by the session cookie change nothing unless they prove they come from the webmail's own
 * pages: every method but GET and HEAD must carry {@value #HEADER} with the session's CSRF token, which only a script
 * of this origin can read (from the sign-in answer or {@code GET /webmail/api/session}). Another site cannot set the
 * header on a form post, and a cross-origin script cannot without a CORS pre-flight this server never grants for it.
 */
public final class CsrfRule {

    public static final String HEADER = "X-Postino-CSRF";

    private CsrfRule() {
    }

    public static boolean isSafe(String method) {
        String upper = method.toUpperCase(Locale.ROOT);
        return upper.equals("GET") || upper.equals("HEAD");
    }

    /** Whether a cookie-authenticated request with this method and {@value #HEADER} value may go on. */
    public static boolean allows(String method, WebSessionStore.Session session, String csrfHeader) {
        return isSafe(method) || session.csrfMatches(csrfHeader);
    }
}
