package org.postino.server.jmap;

import java.io.InputStream;
import java.nio.file.Files;
import java.security.KeyStore;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

import javax.annotation.PreDestroy;
import javax.inject.Inject;
import javax.net.ssl.KeyManagerFactory;

import org.apache.james.jmap.JMAPConfiguration;
import org.apache.james.jmap.JMAPRoute;
import org.apache.james.jmap.JMAPRoutesHandler;
import org.apache.james.jmap.JMAPServer;
import org.apache.james.jmap.PostinoJmapRouting;
import org.apache.james.jmap.Version;
import org.apache.james.jmap.VersionParser;
import org.apache.james.util.Port;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableListMultimap;
import com.google.common.collect.Multimap;

import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;

/**
 * James's JMAP routes behind an HTTPS listener on the configured address. James's own {@link JMAPServer} listens in
 * plain HTTP on every interface, which would send passwords (JMAP's Basic authentication) in clear text: Postino
 * replaces it. Routing follows James's: the request's JMAP version (Accept header) chooses the route set, OPTIONS
 * requests (CORS pre-flight) go to the CORS routes.
 */
public class PostinoJmapServer extends JMAPServer {

    private static final Logger LOGGER = LoggerFactory.getLogger(PostinoJmapServer.class);

    private final JmapSettings settings;
    private final VersionParser versionParser;
    private final Multimap<Version, JMAPRoute> routes;
    private final List<JMAPRoute> corsRoutes;
    private Optional<DisposableServer> server = Optional.empty();

    @Inject
    public PostinoJmapServer(JMAPConfiguration configuration, Set<JMAPRoutesHandler> handlers, VersionParser versionParser,
                             JmapSettings settings) {
        super(configuration, handlers, versionParser);
        this.settings = settings;
        this.versionParser = versionParser;
        this.routes = versionParser.getSupportedVersions().stream()
            .flatMap(version -> handlers.stream()
                .flatMap(handler -> PostinoJmapRouting.routes(handler, version))
                .filter(route -> !route.getEndpoint().getMethod().equals(HttpMethod.OPTIONS))
                .map(route -> java.util.Map.entry(version, route)))
            .collect(ImmutableListMultimap.toImmutableListMultimap(java.util.Map.Entry::getKey, java.util.Map.Entry::getValue));
        this.corsRoutes = versionParser.getSupportedVersions().stream()
            .flatMap(version -> handlers.stream().flatMap(handler -> PostinoJmapRouting.routes(handler, version)))
            .filter(route -> route.getEndpoint().getMethod().equals(HttpMethod.OPTIONS))
            .collect(ImmutableList.toImmutableList());
    }

    @Override
    public void start() {
        if (!settings.enabled()) {
            return;
        }
        SslContext tls = tlsContext();
        server = Optional.of(HttpServer.create()
            .host(settings.host())
            .port(settings.port())
            .secure(spec -> spec.sslContext(tls))
            .handle((request, response) -> action(request).handleRequest(request, response))
            .bindNow());
        LOGGER.info("JMAP listens on https://{}:{} (clients are told {})", settings.host(), server.get().port(),
            settings.urlPrefix());
    }

    private SslContext tlsContext() {
        try (InputStream in = Files.newInputStream(settings.keystore())) {
            KeyStore keyStore = KeyStore.getInstance(settings.keystoreType());
            keyStore.load(in, settings.secret().toCharArray());
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(keyStore, settings.secret().toCharArray());
            return SslContextBuilder.forServer(keys).protocols("TLSv1.3", "TLSv1.2").build();
        } catch (Exception e) {
            throw new IllegalStateException("JMAP cannot use its keystore " + settings.keystore()
                + " (jmap.properties tls.keystore / tls.secret): " + e.getMessage(), e);
        }
    }

    private JMAPRoute.Action action(HttpServerRequest request) {
        if (request.method().equals(HttpMethod.OPTIONS)) {
            return firstMatch(request, corsRoutes.stream());
        }
        Version version;
        try {
            version = PostinoJmapRouting.version(versionParser, request);
        } catch (IllegalArgumentException e) {
            return (req, res) -> res.status(HttpResponseStatus.BAD_REQUEST).send();
        }
        return firstMatch(request, routes.get(version).stream());
    }

    private static JMAPRoute.Action firstMatch(HttpServerRequest request, Stream<JMAPRoute> candidates) {
        return candidates.filter(route -> route.matches(request))
            .map(JMAPRoute::getAction)
            .findFirst()
            .orElse((req, res) -> res.status(HttpResponseStatus.NOT_FOUND).send());
    }

    @Override
    public Port getPort() {
        return server.map(DisposableServer::port).map(Port::of)
            .orElseThrow(() -> new IllegalStateException("JMAP is not listening (disabled or not started)"));
    }

    @Override
    @PreDestroy
    public void stop() {
        server.ifPresent(DisposableServer::disposeNow);
        server = Optional.empty();
    }
}
