package org.postino.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Automatic client set-up from the built distribution, over HTTPS on the JMAP listener: Outlook's Autodiscover (XML and
 * v2 JSON) and Thunderbird's autoconfig announce the public name of {@code url.prefix} and the ports the test
 * installation really listens on, with their TLS modes; what they announce works for logging in.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AutodiscoverIT {

    private static final String ALICE = "alice@example.com";
    private static final String PASSWORD = "correct horse";
    private static final String PUBLIC_HOST = "mail.postino.test";
    private static final String REQUEST_NS = "http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006";
    private static final String OUTLOOK_NS = "http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a";
    private static final int PER_MINUTE = 60;

    private static Distribution postino;
    private static final HttpClient HTTP = HttpClient.newBuilder().sslContext(TrustAll.context())
        .connectTimeout(Duration.ofSeconds(10)).build();

    @BeforeAll
    static void startServer() throws Exception {
        postino = Distribution.install();
        postino.replaceInFile("jmap.properties", "#url.prefix=https://mail.example.com",
            "url.prefix=https://" + PUBLIC_HOST + ":" + postino.jmapPort() + "\nautoconfig.requestsPerMinute=" + PER_MINUTE);
        postino.start();
        postino.admin("domain", "add", "example.com");
        postino.admin("user", "add", ALICE, PASSWORD);
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (postino != null) {
            postino.close();
        }
    }

    @Test
    void outlookIsToldTheRealImapAndSmtpPortsImplicitTlsFirst() throws Exception {
        for (String path : List.of("/autodiscover/autodiscover.xml", "/Autodiscover/Autodiscover.xml")) {
            HttpResponse<String> response = post(path, outlookRequest(REQUEST_NS, ALICE));

            assertThat(response.statusCode()).as(path).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type")).hasValue("text/xml; charset=utf-8");
            assertThat(response.headers().firstValue("Cache-Control")).hasValue("no-store");
            assertThat(outlookProtocols(response.body())).containsExactly(
                "IMAP " + PUBLIC_HOST + ":" + postino.port(993) + " SSL=on Encryption=SSL login=" + ALICE,
                "IMAP " + PUBLIC_HOST + ":" + postino.port(143) + " SSL=on Encryption=TLS login=" + ALICE,
                "SMTP " + PUBLIC_HOST + ":" + postino.port(465) + " SSL=on Encryption=SSL login=" + ALICE,
                "SMTP " + PUBLIC_HOST + ":" + postino.port(587) + " SSL=on Encryption=TLS login=" + ALICE);
        }
    }

    @Test
    void outlookGetsTheSameAnswerForAnUnknownUserAndTheHttpsNamespaceSpelling() throws Exception {
        String known = post("/autodiscover/autodiscover.xml", outlookRequest(REQUEST_NS, ALICE)).body();
        String unknown = post("/autodiscover/autodiscover.xml", outlookRequest(REQUEST_NS, "nobody@example.com")).body();
        String https = post("/autodiscover/autodiscover.xml",
            outlookRequest(REQUEST_NS.replace("http:", "https:"), ALICE)).body();

        assertThat(unknown.replace("nobody@", "alice@")).isEqualTo(known);
        assertThat(https).isEqualTo(known);
    }

    @Test
    void outlookErrorsComeInAutodiscoverResponseError() throws Exception {
        assertThat(outlookErrorCode(post("/autodiscover/autodiscover.xml", outlookRequest(REQUEST_NS, "alice@elsewhere.net"))))
            .isEqualTo("500");
        assertThat(outlookErrorCode(post("/autodiscover/autodiscover.xml", "<Autodiscover><Request>"))).isEqualTo("600");
        assertThat(outlookErrorCode(post("/autodiscover/autodiscover.xml", outlookRequest(REQUEST_NS, "")))).isEqualTo("600");
        String xxe = "<?xml version=\"1.0\"?><!DOCTYPE a [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
            + "<Autodiscover xmlns=\"" + REQUEST_NS + "\"><Request><EMailAddress>&x;</EMailAddress></Request></Autodiscover>";
        HttpResponse<String> refused = post("/autodiscover/autodiscover.xml", xxe);
        assertThat(outlookErrorCode(refused)).isEqualTo("600");
        assertThat(refused.body()).doesNotContain("root:");
    }

    @Test
    void aBodyOverTheLimitIs413() throws Exception {
        String huge = outlookRequest(REQUEST_NS, ALICE).replace("<Request>", "<Request>" + "<!-- padding -->".repeat(2000));

        assertThat(post("/autodiscover/autodiscover.xml", huge).statusCode()).isEqualTo(413);
    }

    @Test
    void autodiscoverV2PointsToTheXmlEndpointAndRefusesOtherProtocols() throws Exception {
        String xmlUrl = "https://" + PUBLIC_HOST + ":" + postino.jmapPort() + "/Autodiscover/Autodiscover.xml";
        for (String path : List.of("/autodiscover/autodiscover.json?Email=alice%40example.com&Protocol=AutodiscoverV1&RedirectCount=1",
            "/autodiscover/autodiscover.json/v1.0/alice@example.com?Protocol=AutodiscoverV1",
            "/Autodiscover/Autodiscover.json/v1.0/nobody%40example.com?Protocol=AutodiscoverV1")) {
            HttpResponse<String> response = get(path);

            assertThat(response.statusCode()).as(path).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
            JsonNode json = new ObjectMapper().readTree(response.body());
            assertThat(json.get("Protocol").asText()).isEqualTo("AutodiscoverV1");
            assertThat(json.get("Url").asText()).isEqualTo(xmlUrl);
        }

        HttpResponse<String> activeSync = get("/autodiscover/autodiscover.json?Email=alice%40example.com&Protocol=ActiveSync");
        assertThat(activeSync.statusCode()).isEqualTo(400);
        assertThat(activeSync.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(new ObjectMapper().readTree(activeSync.body()).get("ErrorCode").asText()).isEqualTo("InvalidProtocol");
        assertThat(get("/autodiscover/autodiscover.json?Email=alice%40elsewhere.net&Protocol=AutodiscoverV1").statusCode())
            .isEqualTo(404);
    }

    @Test
    void thunderbirdIsToldEveryUsableListenerOnBothPaths() throws Exception {
        for (String path : List.of("/mail/config-v1.1.xml?emailaddress=alice%40example.com",
            "/.well-known/autoconfig/mail/config-v1.1.xml?emailaddress=nobody%40example.com")) {
            HttpResponse<String> response = get(path);

            assertThat(response.statusCode()).as(path).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type")).hasValue("text/xml; charset=utf-8");
            assertThat(response.headers().firstValue("Cache-Control")).hasValue("public, max-age=3600");
            Element provider = (Element) parse(response.body()).getElementsByTagName("emailProvider").item(0);
            assertThat(provider.getAttribute("id")).isEqualTo("example.com");
            assertThat(thunderbirdServers(provider)).containsExactly(
                "incomingServer imap " + PUBLIC_HOST + ":" + postino.port(993) + " SSL",
                "incomingServer imap " + PUBLIC_HOST + ":" + postino.port(143) + " STARTTLS",
                "incomingServer pop3 " + PUBLIC_HOST + ":" + postino.port(995) + " SSL",
                "outgoingServer smtp " + PUBLIC_HOST + ":" + postino.port(465) + " SSL",
                "outgoingServer smtp " + PUBLIC_HOST + ":" + postino.port(587) + " STARTTLS");
        }
        assertThat(get("/mail/config-v1.1.xml?emailaddress=alice%40elsewhere.net").statusCode()).isEqualTo(404);
    }

    @Test
    void headGetsTheHeadersWithoutTheBody() throws Exception {
        HttpResponse<String> get = get("/mail/config-v1.1.xml?emailaddress=alice%40example.com");
        HttpResponse<String> head = HTTP.send(request("/mail/config-v1.1.xml?emailaddress=alice%40example.com")
            .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
        assertThat(head.headers().firstValue("Content-Length"))
            .hasValue(Integer.toString(get.body().getBytes(StandardCharsets.UTF_8).length));
    }

    @Test
    void otherMethodsAre405WithAllow() throws Exception {
        HttpResponse<String> getXml = get("/autodiscover/autodiscover.xml");
        HttpResponse<String> postConfig = post("/mail/config-v1.1.xml?emailaddress=alice%40example.com", "x");
        HttpResponse<String> deleteJson = HTTP.send(request("/autodiscover/autodiscover.json?Protocol=AutodiscoverV1")
            .DELETE().build(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> options = HTTP.send(request("/autodiscover/autodiscover.xml")
            .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(getXml.statusCode()).isEqualTo(405);
        assertThat(getXml.headers().firstValue("Allow")).hasValue("POST, OPTIONS");
        assertThat(postConfig.statusCode()).isEqualTo(405);
        assertThat(postConfig.headers().firstValue("Allow")).hasValue("GET, HEAD, OPTIONS");
        assertThat(deleteJson.statusCode()).isEqualTo(405);
        assertThat(options.statusCode()).isEqualTo(204);
        assertThat(options.headers().firstValue("Allow")).hasValue("POST, OPTIONS");
    }

    @Test
    void whatIsAnnouncedWorksForLoggingIn() throws Exception {
        // IMAPS and SMTPS as announced first, submission with STARTTLS as announced second
        try (ImapSession imap = ImapSession.connectTls(postino.port(993), ALICE, PASSWORD)) {
            imap.ok("NOOP");
        }
        try (SmtpSession smtps = SmtpSession.connectImplicitTls(postino.port(465))) {
            smtps.ehlo().expect(250);
            smtps.authPlain(ALICE, PASSWORD).expect(235);
        }
        try (SmtpSession submission = SmtpSession.connect(postino.port(587))) {
            submission.ehlo().expect(250);
            submission.startTls();
            submission.ehlo().expect(250);
            submission.authPlain(ALICE, PASSWORD).expect(235);
        }
    }

    @Test
    @Order(Integer.MAX_VALUE)
    void oneClientGets429OnceItsAllowanceIsSpent() throws Exception {
        HttpResponse<String> last = null;
        for (int i = 0; i <= 2 * PER_MINUTE; i++) {
            last = get("/mail/config-v1.1.xml?emailaddress=alice%40example.com");
            if (last.statusCode() == 429) {
                break;
            }
        }

        assertThat(last.statusCode()).isEqualTo(429);
        assertThat(last.headers().firstValue("Retry-After")).hasValue("1");
        // JMAP itself is not limited
        assertThat(new JmapClient(postino.jmapPort(), ALICE, PASSWORD).get("/jmap/session").statusCode()).isEqualTo(200);
    }

    private static HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + postino.jmapPort() + path)).timeout(Duration.ofSeconds(30));
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(String path, String body) throws Exception {
        return HTTP.send(request(path).header("Content-Type", "text/xml")
            .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String outlookRequest(String namespace, String address) {
        return "<?xml version=\"1.0\" encoding=\"utf-8\"?><Autodiscover xmlns=\"" + namespace + "\"><Request>"
            + "<EMailAddress>" + address + "</EMailAddress>"
            + "<AcceptableResponseSchema>" + OUTLOOK_NS + "</AcceptableResponseSchema></Request></Autodiscover>";
    }

    private static List<String> outlookProtocols(String xml) throws Exception {
        NodeList protocols = parse(xml).getElementsByTagNameNS(OUTLOOK_NS, "Protocol");
        List<String> described = new ArrayList<>();
        for (int i = 0; i < protocols.getLength(); i++) {
            Element protocol = (Element) protocols.item(i);
            described.add(text(protocol, "Type") + " " + text(protocol, "Server") + ":" + text(protocol, "Port")
                + " SSL=" + text(protocol, "SSL") + " Encryption=" + text(protocol, "Encryption")
                + " login=" + text(protocol, "LoginName"));
        }
        return described;
    }

    private static String outlookErrorCode(HttpResponse<String> response) throws Exception {
        assertThat(response.statusCode()).isEqualTo(200);
        Element root = parse(response.body()).getDocumentElement();
        assertThat(root.getLocalName()).isEqualTo("Autodiscover");
        Element error = (Element) root.getElementsByTagNameNS("*", "Error").item(0);
        assertThat(error.getParentNode().getLocalName()).isEqualTo("Response");
        assertThat(text(error, "Message")).isNotEmpty();
        assertThat(error.getElementsByTagNameNS("*", "DebugData").getLength()).isEqualTo(1);
        return text(error, "ErrorCode");
    }

    private static List<String> thunderbirdServers(Element provider) {
        List<String> servers = new ArrayList<>();
        NodeList children = provider.getChildNodes();
        for (int i = 0; i < children.getLength(); i++) {
            if (children.item(i) instanceof Element server && server.getTagName().endsWith("Server")) {
                assertThat(text(server, "authentication")).isEqualTo("password-cleartext");
                assertThat(text(server, "username")).isEqualTo("%EMAILADDRESS%");
                servers.add(server.getTagName() + " " + server.getAttribute("type") + " " + text(server, "hostname") + ":"
                    + text(server, "port") + " " + text(server, "socketType"));
            }
        }
        return servers;
    }

    private static Document parse(String xml) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newDefaultInstance();
        factory.setNamespaceAware(true);
        return factory.newDocumentBuilder().parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
    }

    private static String text(Element parent, String localName) {
        NodeList found = parent.getElementsByTagNameNS("*", localName);
        assertThat(found.getLength()).as(localName).isEqualTo(1);
        return found.item(0).getTextContent();
    }
}
