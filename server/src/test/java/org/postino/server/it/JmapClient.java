package org.postino.server.it;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** A JMAP (RFC 8620/8621) client for the tests: HTTPS to the installation's listener, Basic authentication. */
final class JmapClient {

    private static final ObjectMapper JSON = new ObjectMapper();
    static final List<String> MAIL = List.of("urn:ietf:params:jmap:core", "urn:ietf:params:jmap:mail");

    private final HttpClient http = HttpClient.newBuilder().sslContext(TrustAll.context())
        .connectTimeout(Duration.ofSeconds(10)).build();
    private final String base;
    private final String authorization;
    private String accountId;

    JmapClient(int port, String user, String password) {
        this.base = "https://127.0.0.1:" + port;
        this.authorization = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", authorization)
            .header("Accept", "application/json").timeout(Duration.ofSeconds(30)).GET().build(),
            HttpResponse.BodyHandlers.ofString());
    }

    String accountId() throws IOException, InterruptedException {
        if (accountId == null) {
            HttpResponse<String> session = get("/jmap/session");
            if (session.statusCode() != 200) {
                throw new IOException("JMAP session: HTTP " + session.statusCode() + " " + session.body());
            }
            accountId = JSON.readTree(session.body()).get("primaryAccounts").get("urn:ietf:params:jmap:mail").asText();
        }
        return accountId;
    }

    /** Sends one request with one method call and returns its response: [name, arguments, callId]. */
    JsonNode call(String method, ObjectNode arguments) throws IOException, InterruptedException {
        arguments.put("accountId", accountId());
        ObjectNode request = JSON.createObjectNode();
        ArrayNode using = request.putArray("using");
        MAIL.forEach(using::add);
        ArrayNode call = request.putArray("methodCalls").addArray();
        call.add(method).add(arguments).add("c0");
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(base + "/jmap"))
                .header("Authorization", authorization).header("Content-Type", "application/json")
                .header("Accept", "application/json").timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(request))).build(),
            HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("JMAP " + method + ": HTTP " + response.statusCode() + " " + response.body());
        }
        return JSON.readTree(response.body()).get("methodResponses").get(0);
    }

    static ObjectNode arguments() {
        return JSON.createObjectNode();
    }

    /** Email/query with a text filter; the response as it came (an Email/query result or an error). */
    JsonNode queryText(String text) throws IOException, InterruptedException {
        return query("text", text);
    }

    /** Email/query with one filter condition ({@code text}, {@code body}, {@code subject}, {@code from}...). */
    JsonNode query(String condition, String value) throws IOException, InterruptedException {
        ObjectNode arguments = arguments();
        arguments.putObject("filter").put(condition, value);
        return call("Email/query", arguments);
    }

    /** The Message-IDs (without angle brackets) of the messages an Email/query answered with. */
    List<String> messageIdsOf(JsonNode queryResponse) throws IOException, InterruptedException {
        if (!queryResponse.get(0).asText().equals("Email/query")) {
            throw new IOException("Email/query failed: " + queryResponse);
        }
        ObjectNode arguments = arguments();
        arguments.set("ids", queryResponse.get(1).get("ids"));
        arguments.putArray("properties").add("messageId");
        JsonNode list = call("Email/get", arguments).get(1).get("list");
        List<String> ids = new ArrayList<>();
        list.forEach(email -> email.get("messageId").forEach(id -> ids.add(id.asText())));
        return ids;
    }
}
