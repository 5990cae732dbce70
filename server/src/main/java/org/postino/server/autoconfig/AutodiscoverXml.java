package org.postino.server.autoconfig;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.Clock;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import java.util.Set;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;

import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.ErrorHandler;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;

/**
 * Outlook's "plain old XML" Autodiscover ([MS-OXDSCLI]): the request a client POSTs, and the answer, either the
 * account's IMAP and SMTP settings or an error.
 *
 * <p>The request is parsed with every DTD feature off: a document type declaration is refused outright, so no entity
 * (external or internal) is ever expanded; the caller limits its size.
 */
final class AutodiscoverXml {

    static final String REQUEST_NS = "http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006";
    static final String RESPONSE_NS = "http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006";
    static final String OUTLOOK_RESPONSE_NS = "http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a";
    private static final String MOBILESYNC_REQUEST_NS =
        "http://schemas.microsoft.com/exchange/autodiscover/mobilesync/requestschema/2006";

    /** Request namespaces read; clients are seen spelling them with https too. */
    private static final Set<String> REQUEST_NAMESPACES = Set.of(REQUEST_NS, https(REQUEST_NS),
        MOBILESYNC_REQUEST_NS, https(MOBILESYNC_REQUEST_NS));

    /** Error codes of [MS-OXDSCLI] 2.2.4.1.1.3. */
    static final int ADDRESS_NOT_FOUND = 500;
    static final int INVALID_REQUEST = 600;
    static final int SCHEMA_NOT_AVAILABLE = 601;
    static final int INTERNAL_ERROR = 603;

    private static final DateTimeFormatter ERROR_TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSSSSSS");

    private AutodiscoverXml() {
    }

    /** What a request asked for: an address, or what was wrong with it. */
    sealed interface Parsed permits Parsed.Address, Parsed.Invalid {
        record Address(String text) implements Parsed {
        }

        record Invalid(int code, String message, String debug) implements Parsed {
        }
    }

    static Parsed parse(byte[] body) {
        Document document;
        try {
            DocumentBuilder builder = factory().newDocumentBuilder();
            builder.setErrorHandler(SILENT);
            builder.setEntityResolver((publicId, systemId) -> {
                throw new SAXException("external entities are not read");
            });
            document = builder.parse(new ByteArrayInputStream(body));
        } catch (SAXException e) {
            boolean doctype = e.getMessage() != null && e.getMessage().contains("DOCTYPE");
            return new Parsed.Invalid(INVALID_REQUEST, "Invalid Request",
                doctype ? "a DOCTYPE is not accepted" : "the request is not well-formed XML: " + shortMessage(e));
        } catch (IOException | ParserConfigurationException e) {
            return new Parsed.Invalid(INVALID_REQUEST, "Invalid Request", "the request cannot be read");
        }
        Element root = document.getDocumentElement();
        if (!"Autodiscover".equals(root.getLocalName()) || !REQUEST_NAMESPACES.contains(root.getNamespaceURI())) {
            return new Parsed.Invalid(INVALID_REQUEST, "Invalid Request",
                "expected an Autodiscover element in the namespace " + REQUEST_NS);
        }
        Optional<Element> request = child(root, "Request");
        if (request.isEmpty()) {
            return new Parsed.Invalid(INVALID_REQUEST, "Invalid Request", "the Request element is missing");
        }
        Optional<String> schema = child(request.get(), "AcceptableResponseSchema").map(AutodiscoverXml::text);
        if (schema.isPresent() && !schema.get().equals(OUTLOOK_RESPONSE_NS) && !schema.get().equals(https(OUTLOOK_RESPONSE_NS))) {
            return new Parsed.Invalid(SCHEMA_NOT_AVAILABLE, "Provider is not available",
                "only the response schema " + OUTLOOK_RESPONSE_NS + " is served here");
        }
        Optional<String> address = child(request.get(), "EMailAddress").map(AutodiscoverXml::text).filter(text -> !text.isEmpty());
        if (address.isEmpty()) {
            return new Parsed.Invalid(INVALID_REQUEST, "Invalid Request", "the EMailAddress element is missing or empty");
        }
        return new Parsed.Address(address.get());
    }

    /** The account's settings: IMAP then SMTP, each listener best first, all logging in with the full address. */
    static String settings(ClientSetup setup, String address) {
        XmlText xml = new XmlText();
        xml.open("Autodiscover", RESPONSE_NS)
            .open("Response", OUTLOOK_RESPONSE_NS)
            .open("User").element("AutoDiscoverSMTPAddress", address).close()
            .open("Account")
            .element("AccountType", "email")
            .element("Action", "settings");
        for (ClientSetup.Protocol protocol : new ClientSetup.Protocol[] {ClientSetup.Protocol.IMAP, ClientSetup.Protocol.SMTP}) {
            for (ClientSetup.Service service : setup.of(protocol)) {
                xml.open("Protocol")
                    .element("Type", protocol.name())
                    .element("Server", setup.hostname())
                    .element("Port", Integer.toString(service.port()))
                    .element("DomainRequired", "off")
                    .element("LoginName", address)
                    .element("SPA", "off")
                    // SSL: secure logon required; Encryption (Outlook 2010 and later) tells which kind, overriding SSL:
                    // "SSL" is TLS from the first byte, "TLS" is STARTTLS.
                    .element("SSL", "on")
                    .element("Encryption", service.security() == ClientSetup.Security.IMPLICIT_TLS ? "SSL" : "TLS")
                    .element("AuthRequired", "on")
                    .close();
            }
        }
        return xml.toString();
    }

    /**
     * An error answer. {@code outlookSchema}: the request was understood as Outlook's, the error comes in its response
     * schema; otherwise in the generic one.
     */
    static String error(int code, String message, String debug, boolean outlookSchema, String hostname, Clock clock) {
        return new XmlText()
            .open("Autodiscover", RESPONSE_NS)
            .open("Response", outlookSchema ? OUTLOOK_RESPONSE_NS : null)
            .open("Error")
            .attribute("Time", LocalTime.now(clock.withZone(ZoneOffset.UTC)).format(ERROR_TIME))
            .attribute("Id", Integer.toUnsignedString(hostname.hashCode()))
            .element("ErrorCode", Integer.toString(code))
            .element("Message", message)
            .element("DebugData", debug)
            .toString();
    }

    private static DocumentBuilderFactory factory() throws ParserConfigurationException {
        // The JDK's own parser, whatever else is on the class path, with every way to reach outside the document off.
        DocumentBuilderFactory factory = DocumentBuilderFactory.newDefaultInstance();
        factory.setNamespaceAware(true);
        factory.setValidating(false);
        factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        factory.setFeature("http://xml.org/sax/features/external-general-entities", false);
        factory.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
        factory.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
        factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
        factory.setXIncludeAware(false);
        factory.setExpandEntityReferences(false);
        return factory;
    }

    private static Optional<Element> child(Element parent, String localName) {
        for (Node node = parent.getFirstChild(); node != null; node = node.getNextSibling()) {
            if (node instanceof Element element && localName.equals(element.getLocalName())
                && REQUEST_NAMESPACES.contains(element.getNamespaceURI())) {
                return Optional.of(element);
            }
        }
        return Optional.empty();
    }

    private static String text(Element element) {
        return element.getTextContent().trim();
    }

    private static String https(String namespace) {
        return "https" + namespace.substring("http".length());
    }

    private static String shortMessage(SAXException e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (e instanceof SAXParseException parse) {
            message = "line " + parse.getLineNumber() + ": " + message;
        }
        return message.length() > 200 ? message.substring(0, 200) : message;
    }

    private static final ErrorHandler SILENT = new ErrorHandler() {
        @Override
        public void warning(SAXParseException exception) {
        }

        @Override
        public void error(SAXParseException exception) throws SAXException {
            throw exception;
        }

        @Override
        public void fatalError(SAXParseException exception) throws SAXException {
            throw exception;
        }
    };
}
