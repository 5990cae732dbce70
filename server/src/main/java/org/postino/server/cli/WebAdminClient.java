package org.postino.server.cli;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

import org.postino.server.config.StrictProperties;

/** A small client for the WebAdmin endpoints bin/postino needs, found from conf/webadmin.properties. */
final class WebAdminClient {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI base;

    WebAdminClient(URI base) {
        this.base = base;
    }

    static WebAdminClient fromConf(Path confDirectory) {
        StrictProperties properties = StrictProperties.load(confDirectory.resolve("webadmin.properties"));
        String host = properties.string("host").orElse("localhost");
        if (host.equals("0.0.0.0")) {
            host = "127.0.0.1";
        }
        int port = properties.intInRange("port", 1, 65535).orElse(8000);
        return new WebAdminClient(URI.create("http://" + host + ":" + port));
    }

    static String segment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    Response get(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(base.resolve(path)).GET());
    }

    Response put(String path, String json) throws IOException, InterruptedException {
        HttpRequest.BodyPublisher body = json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json);
        return send(HttpRequest.newBuilder(base.resolve(path)).header("Content-Type", "application/json").PUT(body));
    }

    Response post(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(base.resolve(path)).POST(HttpRequest.BodyPublishers.noBody()));
    }

    Response delete(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(base.resolve(path)).DELETE());
    }

    private Response send(HttpRequest.Builder request) throws IOException, InterruptedException {
        try {
            HttpResponse<String> response = http.send(request.timeout(Duration.ofSeconds(60)).build(),
                HttpResponse.BodyHandlers.ofString());
            return new Response(response.statusCode(), response.body());
        } catch (java.net.ConnectException e) {
            throw new IOException("cannot reach WebAdmin at " + base + " (is Postino running? see bin/postino status)");
        }
    }

    static final class Response {
        final int status;
        final String body;

        Response(int status, String body) {
            this.status = status;
            this.body = body;
        }

        boolean ok() {
            return status / 100 == 2;
        }
    }
}
