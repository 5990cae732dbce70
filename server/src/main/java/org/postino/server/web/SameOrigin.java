package org.postino.server.web;

import java.net.URI;
import java.util.Locale;
import java.util.Optional;

import io.netty.handler.codec.http.HttpHeaderNames;
import reactor.netty.http.server.HttpServerRequest;

/**
 * Whether a browser request's {@code Origin} header names this server: {@code https://} and the request's own
 * {@code Host}, or the public address clients are told ({@code url.prefix} of jmap.properties, for a reverse proxy
 * that rewrites {@code Host}).
 */
public final class SameOrigin {

    private final Optional<String> publicOrigin;

    public SameOrigin(Optional<URI> publicAddress) {
        this.publicOrigin = publicAddress.map(uri -> normalise(uri.getScheme() + "://" + uri.getRawAuthority()));
    }

    /** True when the request has no {@code Origin} header, or one naming this server. */
    boolean checkIfPresent(HttpServerRequest request) {
        String origin = request.requestHeaders().get(HttpHeaderNames.ORIGIN);
        return origin == null || matches(origin, request.requestHeaders().get(HttpHeaderNames.HOST));
    }

    /** True only when the request has an {@code Origin} header naming this server. */
    boolean check(HttpServerRequest request) {
        String origin = request.requestHeaders().get(HttpHeaderNames.ORIGIN);
        return origin != null && matches(origin, request.requestHeaders().get(HttpHeaderNames.HOST));
    }

    boolean matches(String origin, String host) {
        String given = normalise(origin);
        if (publicOrigin.isPresent() && publicOrigin.get().equals(given)) {
            return true;
        }
        return host != null && !host.isBlank() && normalise("https://" + host).equals(given);
    }

    private static String normalise(String origin) {
        String lower = origin.trim().toLowerCase(Locale.ROOT);
        return lower.startsWith("https://") && lower.endsWith(":443") ? lower.substring(0, lower.length() - 4) : lower;
    }
}
