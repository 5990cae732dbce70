package org.postino.server.autoconfig;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import javax.inject.Inject;

import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.domainlist.api.DomainList;
import org.apache.james.jmap.Endpoint;
import org.apache.james.jmap.JMAPRoute;
import org.apache.james.jmap.JMAPRoutes;
import org.postino.server.jmap.JmapSettings;
import org.postino.server.network.ListenerPolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.common.base.Suppliers;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * Automatic mail client set-up on the JMAP HTTPS listener, no authentication (clients ask before they have a
 * password):
 * <ul>
 *   <li>{@code POST /autodiscover/autodiscover.xml} (any capitalisation): Outlook's Autodiscover;</li>
 *   <li>{@code GET /autodiscover/autodiscover.json?Email=...&Protocol=AutodiscoverV1} and
 *       {@code /autodiscover/autodiscover.json/v1.0/<address>?Protocol=AutodiscoverV1}: Autodiscover v2, which points
 *       to the XML one;</li>
 *   <li>{@code GET /mail/config-v1.1.xml?emailaddress=...} and {@code /.well-known/autoconfig/mail/config-v1.1.xml}:
 *       Thunderbird's autoconfig.</li>
 * </ul>
 * Other methods get 405 with {@code Allow}, OPTIONS 204 with {@code Allow}. The server name announced is the host of
 * {@code url.prefix} (jmap.properties), the ports those of the running IMAP, POP3 and SMTP listeners
 * ({@link ClientSetup}). Each client address has {@code autoconfig.requestsPerMinute} requests a minute (429 past
 * that); a request costs at most one domain look-up, and XML bodies over {@value #MAX_BODY} bytes are refused (413).
 */
public final class AutoconfigRoutes implements JMAPRoutes {

    private static final Logger LOGGER = LoggerFactory.getLogger(AutoconfigRoutes.class);
    /** An Autodiscover request is a few hundred bytes. */
    static final int MAX_BODY = 16 * 1024;
    private static final List<HttpMethod> METHODS = List.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.POST,
        HttpMethod.PUT, HttpMethod.DELETE, HttpMethod.PATCH, HttpMethod.OPTIONS);

    static final String OUTLOOK_PATH = "/autodiscover/autodiscover.xml";
    static final String JSON_PATH = "/autodiscover/autodiscover.json";
    static final String JSON_PATH_FORM = JSON_PATH + "/v1.0/";
    static final String THUNDERBIRD_PATH = "/mail/config-v1.1.xml";
    static final String THUNDERBIRD_WELL_KNOWN_PATH = "/.well-known/autoconfig/mail/config-v1.1.xml";

    private final boolean enabled;
    private final ClientSetupAnswers answers;
    private final RequestRateLimiter limiter;

    @Inject
    public AutoconfigRoutes(JmapSettings settings, ListenerPolicy listeners, DomainList domainList) {
        this(settings.autoconfig(), new ClientSetupAnswers(runningListeners(settings, listeners), settings.urlPrefix(),
            ServedDomains.of(domainList, Clock.systemUTC()), Clock.systemUTC()),
            RequestRateLimiter.perMinute(settings.autoconfigPerMinute()));
    }

    AutoconfigRoutes(boolean enabled, ClientSetupAnswers answers, RequestRateLimiter limiter) {
        this.enabled = enabled;
        this.answers = answers;
        this.limiter = limiter;
    }

    /** The listener files as the server runs them, read at the first request (the files do not change while it runs). */
    private static Supplier<ClientSetup> runningListeners(JmapSettings settings, ListenerPolicy listeners) {
        return Suppliers.memoize(() -> {
            try {
                return ClientSetup.fromListeners(settings.urlPrefix().getHost(),
                    listeners.effectiveConfiguration("imapserver"),
                    listeners.effectiveConfiguration("smtpserver"),
                    listeners.effectiveConfiguration("pop3server"));
            } catch (ConfigurationException e) {
                throw new IllegalStateException("the listener files cannot be read: " + e.getMessage(), e);
            }
        });
    }

    @Override
    public Stream<JMAPRoute> routes() {
        if (!enabled) {
            return Stream.empty();
        }
        return Stream.of(
            resource(path -> path.equals(OUTLOOK_PATH), OUTLOOK_PATH, List.of(HttpMethod.POST), this::outlook),
            resource(path -> path.equals(JSON_PATH) || isJsonPathForm(path), JSON_PATH,
                List.of(HttpMethod.GET, HttpMethod.HEAD), this::autodiscoverJson),
            resource(path -> path.equals(THUNDERBIRD_PATH) || path.equals(THUNDERBIRD_WELL_KNOWN_PATH), THUNDERBIRD_PATH,
                List.of(HttpMethod.GET, HttpMethod.HEAD), this::thunderbird))
            .flatMap(routes -> routes);
    }

    private static boolean isJsonPathForm(String path) {
        return path.startsWith(JSON_PATH_FORM) && path.length() > JSON_PATH_FORM.length()
            && path.indexOf('/', JSON_PATH_FORM.length()) < 0;
    }

    /** One route per method for the resource: the allowed ones answer, OPTIONS tells what is allowed, others 405. */
    private Stream<JMAPRoute> resource(Predicate<String> path, String name, List<HttpMethod> allowed, JMAPRoute.Action action) {
        String allow = Stream.concat(allowed.stream(), Stream.of(HttpMethod.OPTIONS))
            .map(HttpMethod::name).collect(Collectors.joining(", "));
        return METHODS.stream().map(method -> JMAPRoute.builder()
            .endpoint(new PathEndpoint(method, name, path))
            .action(allowed.contains(method) ? limited(action)
                : method.equals(HttpMethod.OPTIONS) ? (request, response) -> response.status(204)
                    .header(HttpHeaderNames.ALLOW, allow).send()
                : (request, response) -> response.status(405).header(HttpHeaderNames.ALLOW, allow)
                    .header(HttpHeaderNames.CACHE_CONTROL, ClientSetupAnswers.NO_STORE).send())
            .noCorsHeaders());
    }

    private JMAPRoute.Action limited(JMAPRoute.Action action) {
        return (request, response) -> {
            InetSocketAddress remote = request.remoteAddress();
            if (remote != null && remote.getAddress() != null && !limiter.allow(remote.getAddress())) {
                LOGGER.debug("Client set-up request from {} refused: over autoconfig.requestsPerMinute", remote.getAddress());
                return response.status(429)
                    .header(HttpHeaderNames.RETRY_AFTER, Integer.toString(limiter.retryAfterSeconds()))
                    .header(HttpHeaderNames.CACHE_CONTROL, ClientSetupAnswers.NO_STORE)
                    .send();
            }
            return action.handleRequest(request, response);
        };
    }

    private Mono<Void> outlook(HttpServerRequest request, HttpServerResponse response) {
        long declared = request.requestHeaders().getInt(HttpHeaderNames.CONTENT_LENGTH, 0);
        if (declared > MAX_BODY) {
            return tooLarge(response);
        }
        return request.receive().asByteArray()
            .reduceWith(ByteArrayOutputStream::new, (body, chunk) -> {
                if (body.size() + chunk.length > MAX_BODY) {
                    throw new BodyTooLarge();
                }
                body.write(chunk, 0, chunk.length);
                return body;
            })
            .publishOn(Schedulers.boundedElastic())
            .map(body -> answers.outlook(body.toByteArray()))
            .flatMap(answer -> send(request, response, answer))
            .onErrorResume(BodyTooLarge.class, e -> tooLarge(response))
            .onErrorResume(e -> internalError(response, e));
    }

    private Mono<Void> autodiscoverJson(HttpServerRequest request, HttpServerResponse response) {
        String path = path(request);
        Optional<String> pathAddress = isJsonPathForm(path.toLowerCase(Locale.ROOT))
            ? Optional.of(path.substring(JSON_PATH_FORM.length())) : Optional.empty();
        return Mono.fromCallable(() -> answers.autodiscoverJson(ClientSetupAnswers.parseQuery(query(request)), pathAddress))
            .subscribeOn(Schedulers.boundedElastic())
            .flatMap(answer -> send(request, response, answer))
            .onErrorResume(e -> internalError(response, e));
    }

    private Mono<Void> thunderbird(HttpServerRequest request, HttpServerResponse response) {
        Optional<String> host = Optional.ofNullable(request.requestHeaders().get(HttpHeaderNames.HOST));
        return Mono.fromCallable(() -> answers.thunderbird(ClientSetupAnswers.parseQuery(query(request)), host))
            .subscribeOn(Schedulers.boundedElastic())
            .flatMap(answer -> send(request, response, answer))
            .onErrorResume(e -> internalError(response, e));
    }

    private static Mono<Void> send(HttpServerRequest request, HttpServerResponse response, ClientSetupAnswers.Answer answer) {
        byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
        response.status(answer.status())
            .header(HttpHeaderNames.CONTENT_TYPE, answer.contentType())
            .header(HttpHeaderNames.CACHE_CONTROL, answer.cacheControl())
            .header("X-Content-Type-Options", "nosniff")
            .header(HttpHeaderNames.CONTENT_LENGTH, Integer.toString(body.length));
        if (request.method().equals(HttpMethod.HEAD)) {
            return Mono.from(response.send());
        }
        return Mono.from(response.sendByteArray(Mono.just(body)));
    }

    private static Mono<Void> tooLarge(HttpServerResponse response) {
        return Mono.from(response.status(413).header(HttpHeaderNames.CACHE_CONTROL, ClientSetupAnswers.NO_STORE).send());
    }

    private static Mono<Void> internalError(HttpServerResponse response, Throwable e) {
        LOGGER.warn("Client set-up request failed", e);
        if (response.hasSentHeaders()) {
            return Mono.error(e);
        }
        return Mono.from(response.status(500).header(HttpHeaderNames.CACHE_CONTROL, ClientSetupAnswers.NO_STORE).send());
    }

    /** The raw path, without the query. */
    private static String path(HttpServerRequest request) {
        String uri = request.uri();
        int question = uri.indexOf('?');
        return question < 0 ? uri : uri.substring(0, question);
    }

    private static String query(HttpServerRequest request) {
        String uri = request.uri();
        int question = uri.indexOf('?');
        return question < 0 ? "" : uri.substring(question + 1);
    }

    /** Matches one method and a path, compared in lower case and without the query. */
    static final class PathEndpoint extends Endpoint {
        private final Predicate<String> path;

        PathEndpoint(HttpMethod method, String name, Predicate<String> path) {
            super(method, name);
            this.path = path;
        }

        @Override
        public boolean matches(HttpServerRequest request) {
            return getMethod().equals(request.method()) && path.test(AutoconfigRoutes.path(request).toLowerCase(Locale.ROOT));
        }
    }

    private static final class BodyTooLarge extends RuntimeException {
        BodyTooLarge() {
            super("request body over " + MAX_BODY + " bytes", null, false, false);
        }
    }
}
