package org.apache.james.jmap;

import java.util.stream.Stream;

import reactor.netty.http.server.HttpServerRequest;

/**
 * Postino's HTTPS listener for JMAP routes requests as James's {@link JMAPServer} does, but James keeps the two calls
 * it needs package-private: this class, in James's package, only forwards them.
 */
public final class PostinoJmapRouting {

    private PostinoJmapRouting() {
    }

    public static Stream<JMAPRoute> routes(JMAPRoutesHandler handler, Version version) {
        return handler.routes(version);
    }

    /** The JMAP version a request asks for (its Accept header), or the configured default; throws on an unknown one. */
    public static Version version(VersionParser parser, HttpServerRequest request) {
        return parser.parseRequestVersionHeader(request);
    }
}
