package org.postino.server.autoconfig;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import org.apache.james.core.Domain;
import org.apache.james.core.MailAddress;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The answers to the three kinds of automatic set-up request, apart from HTTP plumbing: Outlook's Autodiscover XML,
 * Autodiscover v2 JSON, Thunderbird's autoconfig.
 *
 * <p>Privacy: no answer depends on whether a user exists. Only the address's domain is looked up; any local part in a
 * served domain gets the same settings (the address itself is echoed as the login name), and only a domain the server
 * does not serve is an error.
 */
public final class ClientSetupAnswers {

    public static final String XML = "text/xml; charset=utf-8";
    public static final String JSON = "application/json";
    public static final String TEXT = "text/plain; charset=utf-8";
    /** Answers naming an address, and errors: never stored. */
    static final String NO_STORE = "no-store";
    /** Answers that depend only on the domain and the server's listeners: an hour. */
    static final String CACHEABLE = "public, max-age=3600";
    /** RFC 5321's longest path is 256 octets; anything much longer is not an address. */
    private static final int MAX_ADDRESS_LENGTH = 320;
    static final String AUTODISCOVER_V1 = "AutodiscoverV1";
    private static final ObjectMapper JSON_WRITER = new ObjectMapper();

    /** One HTTP answer: status, content type, body, {@code Cache-Control}. */
    public record Answer(int status, String contentType, String body, String cacheControl) {
    }

    private final Supplier<ClientSetup> setup;
    private final URI urlPrefix;
    private final ServedDomains domains;
    private final Clock clock;

    /**
     * @param setup     the listeners to announce (read once the server runs)
     * @param urlPrefix the public HTTPS address of this listener; its host is the server name announced
     */
    public ClientSetupAnswers(Supplier<ClientSetup> setup, URI urlPrefix, ServedDomains domains, Clock clock) {
        this.setup = setup;
        this.urlPrefix = urlPrefix;
        this.domains = domains;
        this.clock = clock;
    }

    /** {@code POST /autodiscover/autodiscover.xml}: always 200 with a settings or error document, as Exchange does. */
    public Answer outlook(byte[] body) {
        String host = urlPrefix.getHost();
        AutodiscoverXml.Parsed parsed = AutodiscoverXml.parse(body);
        if (parsed instanceof AutodiscoverXml.Parsed.Invalid invalid) {
            return outlookError(invalid.code(), invalid.message(), invalid.debug(), false);
        }
        String text = ((AutodiscoverXml.Parsed.Address) parsed).text();
        Optional<MailAddress> address = address(text);
        if (address.isEmpty()) {
            return outlookError(AutodiscoverXml.INVALID_REQUEST, "Invalid Request", "EMailAddress is not a mail address", true);
        }
        try {
            if (!domains.serves(address.get().getDomain())) {
                return outlookError(AutodiscoverXml.ADDRESS_NOT_FOUND, "The address is not served here",
                    "no mail service for the domain " + address.get().getDomain().asString(), true);
            }
        } catch (ServedDomains.Unavailable e) {
            return outlookError(AutodiscoverXml.INTERNAL_ERROR, "Internal error", "try again later", true);
        }
        return new Answer(200, XML, AutodiscoverXml.settings(setup.get(), address.get().asString()), NO_STORE);
    }

    private Answer outlookError(int code, String message, String debug, boolean outlookSchema) {
        return new Answer(200, XML, AutodiscoverXml.error(code, message, debug, outlookSchema, urlPrefix.getHost(), clock),
            NO_STORE);
    }

    /**
     * {@code GET /autodiscover/autodiscover.json?Email=...&Protocol=...} and
     * {@code /autodiscover/autodiscover.json/v1.0/<address>?Protocol=...}: for {@code AutodiscoverV1}, where to POST the
     * XML request. Other protocols (ActiveSync, Ews, Rest...) are not served: 400 {@code InvalidProtocol}, as Exchange
     * Online answers for a protocol it does not know; an unserved domain is 404.
     *
     * @param pathAddress the address from the path form, still percent-encoded
     */
    public Answer autodiscoverJson(Map<String, String> query, Optional<String> pathAddress) {
        String protocol = parameter(query, "Protocol").orElse("");
        if (!protocol.equalsIgnoreCase(AUTODISCOVER_V1)) {
            return jsonError(400, "InvalidProtocol", protocol.isEmpty()
                ? "The Protocol parameter is missing. Supported values are '" + AUTODISCOVER_V1 + "'"
                : "The protocol '" + shorten(protocol) + "' is not supported here. Supported values are '" + AUTODISCOVER_V1 + "'");
        }
        Optional<String> text = pathAddress.flatMap(ClientSetupAnswers::decode).or(() -> parameter(query, "Email"));
        Optional<MailAddress> address = text.flatMap(ClientSetupAnswers::address);
        if (address.isEmpty()) {
            return jsonError(400, "InvalidEmailAddress", text.isEmpty()
                ? "The Email parameter is missing" : "The Email parameter is not a mail address");
        }
        try {
            if (!domains.serves(address.get().getDomain())) {
                return jsonError(404, "DomainNotServed", "This server does not serve mail for "
                    + address.get().getDomain().asString());
            }
        } catch (ServedDomains.Unavailable e) {
            return jsonError(503, "ServiceUnavailable", "Try again later");
        }
        Map<String, String> body = new LinkedHashMap<>();
        body.put("Protocol", AUTODISCOVER_V1);
        body.put("Url", urlPrefix.toString().replaceAll("/+$", "") + "/Autodiscover/Autodiscover.xml");
        return new Answer(200, JSON, json(body), CACHEABLE);
    }

    private static Answer jsonError(int status, String code, String message) {
        Map<String, String> body = new LinkedHashMap<>();
        body.put("ErrorCode", code);
        body.put("ErrorMessage", message);
        return new Answer(status, JSON, json(body), NO_STORE);
    }

    /**
     * {@code GET /mail/config-v1.1.xml?emailaddress=...} and {@code /.well-known/autoconfig/mail/config-v1.1.xml}.
     * Without {@code emailaddress}, the domain is the request's host name, less a leading {@code autoconfig.}
     * (older Thunderbird asked {@code https://autoconfig.<domain>/mail/config-v1.1.xml} with no address).
     */
    public Answer thunderbird(Map<String, String> query, Optional<String> hostHeader) {
        Optional<String> text = parameter(query, "emailaddress");
        Domain domain;
        if (text.isPresent()) {
            Optional<MailAddress> address = address(text.get());
            if (address.isEmpty()) {
                return new Answer(400, TEXT, "emailaddress is not a mail address\n", NO_STORE);
            }
            domain = address.get().getDomain();
        } else {
            Optional<Domain> fromHost = hostHeader.flatMap(ClientSetupAnswers::domainOfHost);
            if (fromHost.isEmpty()) {
                return new Answer(400, TEXT, "add ?emailaddress=<your address>\n", NO_STORE);
            }
            domain = fromHost.get();
        }
        try {
            if (!domains.serves(domain)) {
                return new Answer(404, TEXT, "this server does not serve mail for " + domain.asString() + "\n", NO_STORE);
            }
            return new Answer(200, XML, ThunderbirdConfig.of(setup.get(), domain, domains.all()), CACHEABLE);
        } catch (ServedDomains.Unavailable e) {
            return new Answer(503, TEXT, "try again later\n", NO_STORE);
        }
    }

    /** A mail address with a domain (no bare local part), of sensible length. */
    static Optional<MailAddress> address(String text) {
        String trimmed = text.trim();
        if (trimmed.isEmpty() || trimmed.length() > MAX_ADDRESS_LENGTH || trimmed.indexOf('@') < 1) {
            return Optional.empty();
        }
        try {
            return Optional.of(new MailAddress(trimmed));
        } catch (Exception e) {
            return Optional.empty();
        }
    }

    private static Optional<Domain> domainOfHost(String host) {
        String name = host.trim().toLowerCase(Locale.ROOT);
        if (name.startsWith("[")) {
            return Optional.empty();
        }
        int colon = name.indexOf(':');
        if (colon >= 0) {
            name = name.substring(0, colon);
        }
        if (name.startsWith("autoconfig.")) {
            name = name.substring("autoconfig.".length());
        }
        try {
            return name.isEmpty() ? Optional.empty() : Optional.of(Domain.of(name));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** A query parameter, its name compared without case (Outlook writes {@code Email}, others {@code email}). */
    private static Optional<String> parameter(Map<String, String> query, String name) {
        return query.entrySet().stream()
            .filter(entry -> entry.getKey().equalsIgnoreCase(name))
            .map(Map.Entry::getValue)
            .filter(value -> !value.isBlank())
            .findFirst();
    }

    /**
     * The parameters of a raw query string, percent-decoded; a {@code +} stays a plus (it is common in addresses and
     * clients encode spaces, which addresses do not have, as %20). The first of repeated names wins; at most 20 are read.
     */
    public static Map<String, String> parseQuery(String rawQuery) {
        Map<String, String> parameters = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return parameters;
        }
        String[] pairs = rawQuery.split("&", 21);
        for (int i = 0; i < Math.min(pairs.length, 20); i++) {
            String pair = pairs[i];
            int equals = pair.indexOf('=');
            Optional<String> name = decode(equals < 0 ? pair : pair.substring(0, equals));
            Optional<String> value = decode(equals < 0 ? "" : pair.substring(equals + 1));
            if (name.isPresent() && value.isPresent() && !name.get().isEmpty()) {
                parameters.putIfAbsent(name.get(), value.get());
            }
        }
        return parameters;
    }

    private static Optional<String> decode(String encoded) {
        try {
            return Optional.of(URLDecoder.decode(encoded.replace("+", "%2B"), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static String shorten(String text) {
        return text.length() > 64 ? text.substring(0, 64) + "..." : text;
    }

    private static String json(Map<String, String> body) {
        try {
            return JSON_WRITER.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
