package org.postino.server.autoconfig;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import javax.xml.parsers.DocumentBuilderFactory;

import org.apache.james.core.Domain;
import org.junit.jupiter.api.Test;
import org.postino.server.autoconfig.ClientSetup.Protocol;
import org.postino.server.autoconfig.ClientSetup.Security;
import org.postino.server.autoconfig.ClientSetup.Service;
import org.postino.server.autoconfig.ClientSetupAnswers.Answer;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

class ClientSetupAnswersTest {

    private static final String REQUEST_NS = "http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006";
    private static final String RESPONSE_NS = "http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006";
    private static final String OUTLOOK_NS = "http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a";

    private static final ClientSetup SETUP = new ClientSetup("mail.example.com", List.of(
        new Service(Protocol.IMAP, 993, Security.IMPLICIT_TLS),
        new Service(Protocol.IMAP, 143, Security.STARTTLS),
        new Service(Protocol.POP3, 995, Security.IMPLICIT_TLS),
        new Service(Protocol.SMTP, 465, Security.IMPLICIT_TLS),
        new Service(Protocol.SMTP, 587, Security.STARTTLS)));

    /** Serves example.com, example.org and localhost; records every look-up. */
    private final FakeDomains domains = new FakeDomains(Set.of("example.com", "example.org", "localhost"));
    private final ClientSetupAnswers answers = new ClientSetupAnswers(() -> SETUP, URI.create("https://mail.example.com"),
        domains, Clock.fixed(Instant.parse("2024-05-01T10:15:30Z"), ZoneOffset.UTC));

    // --- Outlook (POX) -------------------------------------------------------------------------------------------

    @Test
    void outlookGetsImapAndSmtpSettingsBestFirstWithTheAddressAsLoginName() throws Exception {
        Answer answer = answers.outlook(outlookRequest(REQUEST_NS, "alice@example.com", OUTLOOK_NS));

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.contentType()).isEqualTo("text/xml; charset=utf-8");
        assertThat(answer.cacheControl()).isEqualTo("no-store");
        Document document = parse(answer.body());
        Element root = document.getDocumentElement();
        assertThat(root.getLocalName()).isEqualTo("Autodiscover");
        assertThat(root.getNamespaceURI()).isEqualTo(RESPONSE_NS);
        Element response = only(root, null, "Response").orElseThrow(() -> new AssertionError("no Response in " + answer.body()));
        assertThat(response.getNamespaceURI()).isEqualTo(OUTLOOK_NS);
        Element account = only(response, OUTLOOK_NS, "Account").orElseThrow();
        assertThat(text(account, "AccountType")).isEqualTo("email");
        assertThat(text(account, "Action")).isEqualTo("settings");

        List<Element> protocols = children(account, OUTLOOK_NS, "Protocol");
        assertThat(protocols).extracting(protocol -> text(protocol, "Type") + " " + text(protocol, "Port") + " "
                + text(protocol, "SSL") + " " + text(protocol, "Encryption"))
            .containsExactly("IMAP 993 on SSL", "IMAP 143 on TLS", "SMTP 465 on SSL", "SMTP 587 on TLS");
        for (Element protocol : protocols) {
            assertThat(text(protocol, "Server")).isEqualTo("mail.example.com");
            assertThat(text(protocol, "LoginName")).isEqualTo("alice@example.com");
            assertThat(text(protocol, "SPA")).isEqualTo("off");
            assertThat(text(protocol, "AuthRequired")).isEqualTo("on");
            assertThat(text(protocol, "DomainRequired")).isEqualTo("off");
        }
        assertThat(domains.lookedUp).containsExactly("example.com");
    }

    @Test
    void theHttpsSpellingOfTheNamespacesIsAcceptedToo() throws Exception {
        Answer answer = answers.outlook(outlookRequest(REQUEST_NS.replace("http:", "https:"), "alice@example.com",
            OUTLOOK_NS.replace("http:", "https:")));

        assertThat(answer.body()).isEqualTo(answers.outlook(outlookRequest(REQUEST_NS, "alice@example.com", OUTLOOK_NS)).body());
        assertThat(only(parse(answer.body()).getDocumentElement(), OUTLOOK_NS, "Response").orElseThrow()
            .getElementsByTagNameNS(OUTLOOK_NS, "Account").getLength()).isEqualTo(1);
    }

    @Test
    void aRequestWithoutAcceptableResponseSchemaIsAnsweredWithOutlooksSchema() throws Exception {
        Answer answer = answers.outlook(outlookRequest(REQUEST_NS, "alice@example.com", null));

        assertThat(children(parse(answer.body()).getDocumentElement(), OUTLOOK_NS, "Response")).hasSize(1);
        assertThat(answer.body()).contains("<Type>IMAP</Type>");
    }

    @Test
    void anUnknownUserInAServedDomainGetsExactlyTheAnswerOfAnExistingOne() {
        // nothing about users is looked up at all: the answers differ only by the address they echo
        String existing = answers.outlook(outlookRequest(REQUEST_NS, "alice@example.com", OUTLOOK_NS)).body();
        String unknown = answers.outlook(outlookRequest(REQUEST_NS, "nobody.at.all@example.com", OUTLOOK_NS)).body();

        assertThat(unknown.replace("nobody.at.all@", "alice@")).isEqualTo(existing);
        assertThat(domains.lookedUp).containsExactly("example.com", "example.com");
    }

    @Test
    void malformedXmlIsErrorSixHundredInAutodiscoverResponseError() throws Exception {
        Answer answer = answers.outlook("<Autodiscover xmlns=\"x\"><Request>".getBytes(StandardCharsets.UTF_8));

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.contentType()).isEqualTo("text/xml; charset=utf-8");
        Element error = error(answer);
        assertThat(text(error, "ErrorCode")).isEqualTo("600");
        assertThat(text(error, "Message")).isEqualTo("Invalid Request");
        assertThat(text(error, "DebugData")).contains("not well-formed");
        assertThat(error.getAttribute("Time")).isEqualTo("10:15:30.0000000");
        assertThat(error.getAttribute("Id")).matches("[0-9]+");
        assertThat(domains.lookedUp).isEmpty();
    }

    @Test
    void anEmptyBodyOrAnotherDocumentIsErrorSixHundred() throws Exception {
        assertThat(text(error(answers.outlook(new byte[0])), "ErrorCode")).isEqualTo("600");
        assertThat(text(error(answers.outlook("<html><body/></html>".getBytes(StandardCharsets.UTF_8))), "ErrorCode"))
            .isEqualTo("600");
        assertThat(text(error(answers.outlook(("<Autodiscover xmlns=\"urn:other\"><Request><EMailAddress>alice@example.com"
            + "</EMailAddress></Request></Autodiscover>").getBytes(StandardCharsets.UTF_8))), "ErrorCode")).isEqualTo("600");
    }

    @Test
    void aMissingOrEmptyEmailAddressIsErrorSixHundred() throws Exception {
        Element missing = error(answers.outlook(outlookRequest(REQUEST_NS, null, OUTLOOK_NS)));
        Element empty = error(answers.outlook(outlookRequest(REQUEST_NS, "  ", OUTLOOK_NS)));
        Element notAnAddress = error(answers.outlook(outlookRequest(REQUEST_NS, "alice", OUTLOOK_NS)));

        assertThat(text(missing, "ErrorCode")).isEqualTo("600");
        assertThat(text(missing, "DebugData")).contains("EMailAddress");
        assertThat(text(empty, "ErrorCode")).isEqualTo("600");
        assertThat(text(notAnAddress, "ErrorCode")).isEqualTo("600");
        assertThat(domains.lookedUp).isEmpty();
    }

    @Test
    void anExternalEntityIsNeverResolved() throws Exception {
        String xxe = "<?xml version=\"1.0\"?>\n<!DOCTYPE Autodiscover [<!ENTITY secret SYSTEM \"file:///etc/passwd\">]>\n"
            + "<Autodiscover xmlns=\"" + REQUEST_NS + "\"><Request><EMailAddress>&secret;@example.com</EMailAddress>"
            + "<AcceptableResponseSchema>" + OUTLOOK_NS + "</AcceptableResponseSchema></Request></Autodiscover>";

        Answer answer = answers.outlook(xxe.getBytes(StandardCharsets.UTF_8));

        Element error = error(answer);
        assertThat(text(error, "ErrorCode")).isEqualTo("600");
        assertThat(text(error, "DebugData")).contains("DOCTYPE");
        assertThat(answer.body()).doesNotContain("root:");
        assertThat(domains.lookedUp).isEmpty();
    }

    @Test
    void anExternalDtdAndNestedInternalEntitiesAreRefusedToo() throws Exception {
        String externalDtd = "<!DOCTYPE Autodiscover SYSTEM \"http://127.0.0.1:1/evil.dtd\"><Autodiscover xmlns=\"" + REQUEST_NS
            + "\"><Request><EMailAddress>alice@example.com</EMailAddress></Request></Autodiscover>";
        StringBuilder laughs = new StringBuilder("<!DOCTYPE lolz [<!ENTITY lol \"lol\">");
        for (int i = 1; i <= 9; i++) {
            laughs.append("<!ENTITY lol").append(i).append(" \"").append(("&lol" + (i == 1 ? "" : i - 1) + ";").repeat(10)).append("\">");
        }
        laughs.append("]><Autodiscover xmlns=\"").append(REQUEST_NS).append("\"><Request><EMailAddress>&lol9;@example.com"
            + "</EMailAddress></Request></Autodiscover>");

        assertThat(text(error(answers.outlook(externalDtd.getBytes(StandardCharsets.UTF_8))), "ErrorCode")).isEqualTo("600");
        assertThat(text(error(answers.outlook(laughs.toString().getBytes(StandardCharsets.UTF_8))), "ErrorCode")).isEqualTo("600");
        assertThat(domains.lookedUp).isEmpty();
    }

    @Test
    void aDomainTheServerDoesNotServeIsErrorFiveHundred() throws Exception {
        Answer answer = answers.outlook(outlookRequest(REQUEST_NS, "alice@elsewhere.net", OUTLOOK_NS));

        Element error = error(answer);
        assertThat(error.getParentNode().getNamespaceURI()).isEqualTo(OUTLOOK_NS);
        assertThat(text(error, "ErrorCode")).isEqualTo("500");
        assertThat(text(error, "DebugData")).contains("elsewhere.net");
        assertThat(answer.body()).doesNotContain("<Protocol>");
    }

    @Test
    void anotherResponseSchemaIsErrorSixHundredOne() throws Exception {
        Answer answer = answers.outlook(outlookRequest(REQUEST_NS, "alice@example.com",
            "http://schemas.microsoft.com/exchange/autodiscover/mobilesync/responseschema/2006"));

        assertThat(text(error(answer), "ErrorCode")).isEqualTo("601");
    }

    @Test
    void aDomainListThatCannotBeReadIsErrorSixHundredThree() throws Exception {
        domains.broken = true;

        assertThat(text(error(answers.outlook(outlookRequest(REQUEST_NS, "alice@example.com", OUTLOOK_NS))), "ErrorCode"))
            .isEqualTo("603");
    }

    @Test
    void anAddressWithXmlSpecialCharactersIsEscaped() throws Exception {
        Answer answer = answers.outlook(outlookRequest(REQUEST_NS, "o'neil&co@Example.COM", OUTLOOK_NS));

        Element account = only(only(parse(answer.body()).getDocumentElement(), OUTLOOK_NS, "Response").orElseThrow(),
            OUTLOOK_NS, "Account").orElseThrow();
        assertThat(text(children(account, OUTLOOK_NS, "Protocol").get(0), "LoginName")).isEqualTo("o'neil&co@example.com");
    }

    // --- Autodiscover v2 (JSON) ----------------------------------------------------------------------------------

    @Test
    void autodiscoverV1IsPointedToTheXmlEndpointOnThePublicHost() throws Exception {
        Answer query = answers.autodiscoverJson(ClientSetupAnswers.parseQuery("Email=alice%40example.com&Protocol=AutodiscoverV1&RedirectCount=1"),
            Optional.empty());
        Answer path = answers.autodiscoverJson(ClientSetupAnswers.parseQuery("Protocol=autodiscoverv1"), Optional.of("bob%40example.com"));

        for (Answer answer : List.of(query, path)) {
            assertThat(answer.status()).isEqualTo(200);
            assertThat(answer.contentType()).isEqualTo("application/json");
            assertThat(answer.cacheControl()).isEqualTo("public, max-age=3600");
            JsonNode json = new ObjectMapper().readTree(answer.body());
            assertThat(json.get("Protocol").asText()).isEqualTo("AutodiscoverV1");
            assertThat(json.get("Url").asText()).isEqualTo("https://mail.example.com/Autodiscover/Autodiscover.xml");
            assertThat(json.size()).isEqualTo(2);
        }
        assertThat(domains.lookedUp).containsExactly("example.com", "example.com");
    }

    @Test
    void otherProtocolsAreInvalidProtocolErrors() throws Exception {
        for (String protocol : List.of("ActiveSync", "Ews", "Rest", "")) {
            Answer answer = answers.autodiscoverJson(ClientSetupAnswers.parseQuery("Email=alice%40example.com&Protocol=" + protocol),
                Optional.empty());

            assertThat(answer.status()).as(protocol).isEqualTo(400);
            assertThat(answer.contentType()).isEqualTo("application/json");
            assertThat(answer.cacheControl()).isEqualTo("no-store");
            JsonNode json = new ObjectMapper().readTree(answer.body());
            assertThat(json.get("ErrorCode").asText()).isEqualTo("InvalidProtocol");
            assertThat(json.get("ErrorMessage").asText()).contains("AutodiscoverV1");
        }
        assertThat(domains.lookedUp).isEmpty();
    }

    @Test
    void jsonErrorsForAMissingAddressAndAnUnservedDomain() throws Exception {
        Answer missing = answers.autodiscoverJson(ClientSetupAnswers.parseQuery("Protocol=AutodiscoverV1"), Optional.empty());
        Answer invalid = answers.autodiscoverJson(ClientSetupAnswers.parseQuery("Protocol=AutodiscoverV1&Email=alice"), Optional.empty());
        Answer unserved = answers.autodiscoverJson(ClientSetupAnswers.parseQuery("Protocol=AutodiscoverV1&Email=a%40elsewhere.net"),
            Optional.empty());

        assertThat(missing.status()).isEqualTo(400);
        assertThat(new ObjectMapper().readTree(missing.body()).get("ErrorCode").asText()).isEqualTo("InvalidEmailAddress");
        assertThat(invalid.status()).isEqualTo(400);
        assertThat(unserved.status()).isEqualTo(404);
        assertThat(new ObjectMapper().readTree(unserved.body()).get("ErrorCode").asText()).isEqualTo("DomainNotServed");
    }

    @Test
    void theJsonAnswerIsTheSameForAnUnknownUser() {
        Answer known = answers.autodiscoverJson(ClientSetupAnswers.parseQuery("Email=alice%40example.com&Protocol=AutodiscoverV1"),
            Optional.empty());
        Answer unknown = answers.autodiscoverJson(ClientSetupAnswers.parseQuery("Email=zz-nobody%40example.com&Protocol=AutodiscoverV1"),
            Optional.empty());

        assertThat(unknown).isEqualTo(known);
    }

    @Test
    void aPublicAddressWithAPortKeepsIt() throws Exception {
        ClientSetupAnswers onPort = new ClientSetupAnswers(() -> SETUP, URI.create("https://mail.example.com:10443"), domains,
            Clock.systemUTC());

        Answer answer = onPort.autodiscoverJson(ClientSetupAnswers.parseQuery("Email=alice%40example.com&Protocol=AutodiscoverV1"),
            Optional.empty());

        assertThat(new ObjectMapper().readTree(answer.body()).get("Url").asText())
            .isEqualTo("https://mail.example.com:10443/Autodiscover/Autodiscover.xml");
    }

    // --- Thunderbird ---------------------------------------------------------------------------------------------

    @Test
    void thunderbirdGetsEveryUsableListenerBestFirst() throws Exception {
        Answer answer = answers.thunderbird(ClientSetupAnswers.parseQuery("emailaddress=alice%40example.org"), Optional.empty());

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.contentType()).isEqualTo("text/xml; charset=utf-8");
        assertThat(answer.cacheControl()).isEqualTo("public, max-age=3600");
        Element root = parse(answer.body()).getDocumentElement();
        assertThat(root.getTagName()).isEqualTo("clientConfig");
        assertThat(root.getAttribute("version")).isEqualTo("1.1");
        Element provider = children(root, null, "emailProvider").get(0);
        assertThat(provider.getAttribute("id")).isEqualTo("example.org");
        // the requested domain first, then the others served; localhost is no mail domain to list
        assertThat(children(provider, null, "domain")).extracting(Element::getTextContent)
            .containsExactly("example.org", "example.com");
        assertThat(children(provider, null, "incomingServer")).extracting(server -> server.getAttribute("type") + " "
                + text(server, "port") + " " + text(server, "socketType"))
            .containsExactly("imap 993 SSL", "imap 143 STARTTLS", "pop3 995 SSL");
        assertThat(children(provider, null, "outgoingServer")).extracting(server -> server.getAttribute("type") + " "
                + text(server, "port") + " " + text(server, "socketType"))
            .containsExactly("smtp 465 SSL", "smtp 587 STARTTLS");
        for (Element server : children(provider, null, "incomingServer")) {
            assertThat(text(server, "hostname")).isEqualTo("mail.example.com");
            assertThat(text(server, "authentication")).isEqualTo("password-cleartext");
            assertThat(text(server, "username")).isEqualTo("%EMAILADDRESS%");
        }
        assertThat(text(children(provider, null, "outgoingServer").get(0), "username")).isEqualTo("%EMAILADDRESS%");
    }

    @Test
    void thunderbirdGetsTheSameConfigurationForAnUnknownUser() {
        Answer known = answers.thunderbird(ClientSetupAnswers.parseQuery("emailaddress=alice%40example.com"), Optional.empty());
        Answer unknown = answers.thunderbird(ClientSetupAnswers.parseQuery("emailaddress=no-such-user%2Btag%40example.com"),
            Optional.empty());

        assertThat(unknown).isEqualTo(known);
    }

    @Test
    void withoutAnAddressTheDomainIsTheHostLessAutoconfig() {
        Answer answer = answers.thunderbird(Map.of(), Optional.of("autoconfig.Example.com:443"));
        Answer unserved = answers.thunderbird(Map.of(), Optional.of("autoconfig.elsewhere.net"));
        Answer nothing = answers.thunderbird(Map.of(), Optional.of("mail.example.com"));

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.body()).contains("<emailProvider id=\"example.com\">");
        assertThat(unserved.status()).isEqualTo(404);
        assertThat(nothing.status()).isEqualTo(404);
        assertThat(answers.thunderbird(Map.of(), Optional.empty()).status()).isEqualTo(400);
    }

    @Test
    void thunderbirdErrors() {
        Answer invalid = answers.thunderbird(ClientSetupAnswers.parseQuery("emailaddress=not-an-address"), Optional.empty());
        Answer unserved = answers.thunderbird(ClientSetupAnswers.parseQuery("emailaddress=a%40elsewhere.net"), Optional.empty());
        domains.broken = true;
        Answer broken = answers.thunderbird(ClientSetupAnswers.parseQuery("emailaddress=a%40example.com"), Optional.empty());

        assertThat(invalid.status()).isEqualTo(400);
        assertThat(unserved.status()).isEqualTo(404);
        assertThat(unserved.cacheControl()).isEqualTo("no-store");
        assertThat(broken.status()).isEqualTo(503);
    }

    // --- query strings -------------------------------------------------------------------------------------------

    @Test
    void queryStringsArePercentDecodedAndAPlusStaysAPlus() {
        assertThat(ClientSetupAnswers.parseQuery("emailaddress=a+b%40example.com&x=%zz&Email=1&Email=2&flag"))
            .containsEntry("emailaddress", "a+b@example.com")
            .containsEntry("Email", "1")
            .containsEntry("flag", "")
            .doesNotContainKey("x");
        String many = IntStream.range(0, 100).mapToObj(i -> "p" + i + "=v").collect(Collectors.joining("&"));
        assertThat(ClientSetupAnswers.parseQuery(many)).hasSize(20);
    }

    // --- helpers -------------------------------------------------------------------------------------------------

    private static byte[] outlookRequest(String namespace, String address, String schema) {
        return ("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<Autodiscover xmlns=\"" + namespace + "\">\n  <Request>\n"
            + (address == null ? "" : "    <EMailAddress>" + address.replace("&", "&amp;") + "</EMailAddress>\n")
            + (schema == null ? "" : "    <AcceptableResponseSchema>" + schema + "</AcceptableResponseSchema>\n")
            + "  </Request>\n</Autodiscover>\n").getBytes(StandardCharsets.UTF_8);
    }

    private static Document parse(String xml) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newDefaultInstance();
        factory.setNamespaceAware(true);
        return factory.newDocumentBuilder().parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
    }

    /** Autodiscover/Response/Error, checking the path. */
    private static Element error(Answer answer) throws Exception {
        assertThat(answer.status()).isEqualTo(200);
        Element root = parse(answer.body()).getDocumentElement();
        assertThat(root.getLocalName()).isEqualTo("Autodiscover");
        assertThat(root.getNamespaceURI()).isEqualTo(RESPONSE_NS);
        List<Element> responses = children(root, null, "Response");
        assertThat(responses).as(answer.body()).hasSize(1);
        List<Element> errors = children(responses.get(0), null, "Error");
        assertThat(errors).as(answer.body()).hasSize(1);
        for (String child : List.of("ErrorCode", "Message", "DebugData")) {
            assertThat(children(errors.get(0), null, child)).as(child).hasSize(1);
        }
        return errors.get(0);
    }

    /** Child elements by local name, and namespace when not null. */
    private static List<Element> children(Element parent, String namespace, String localName) {
        List<Element> found = new ArrayList<>();
        NodeList nodes = parent.getChildNodes();
        for (int i = 0; i < nodes.getLength(); i++) {
            if (nodes.item(i) instanceof Element element && localName.equals(element.getLocalName())
                && (namespace == null || namespace.equals(element.getNamespaceURI()))) {
                found.add(element);
            }
        }
        return found;
    }

    private static Optional<Element> only(Element parent, String namespace, String localName) {
        List<Element> found = children(parent, namespace, localName);
        return found.size() == 1 ? Optional.of(found.get(0)) : Optional.empty();
    }

    private static String text(Element parent, String localName) {
        List<Element> found = children(parent, null, localName);
        assertThat(found).as(localName).hasSize(1);
        return found.get(0).getTextContent();
    }

    private static final class FakeDomains implements ServedDomains {
        private final Set<String> served;
        final List<String> lookedUp = new ArrayList<>();
        boolean broken;

        FakeDomains(Set<String> served) {
            this.served = served;
        }

        @Override
        public boolean serves(Domain domain) {
            if (broken) {
                throw new Unavailable("down", null);
            }
            lookedUp.add(domain.asString());
            return served.contains(domain.asString());
        }

        @Override
        public List<Domain> all() {
            return served.stream().sorted().map(Domain::of).collect(Collectors.toList());
        }
    }
}
