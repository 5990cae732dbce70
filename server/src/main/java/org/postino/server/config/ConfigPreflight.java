package org.postino.server.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;

import org.postino.server.smtp.LineLimit;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;

/**
 * Checks the configuration directory before anything starts, so that a mistake stops the server
 * with one line naming the file, the key and the value, instead of a stack trace from deep inside
 * a protocol server (or, worse, a silent default).
 *
 * <p>Every {@code *.xml} must be well-formed. The listener files (smtp, imap, pop3, lmtp,
 * managesieve) are checked for the values James would otherwise misread: {@code bind} addresses
 * and ports, booleans, and counts.
 */
public final class ConfigPreflight {

    private static final List<String> LISTENER_FILES = List.of(
        "smtpserver", "imapserver", "pop3server", "lmtpserver", "managesieveserver");
    private static final List<String> BOOLEAN_ATTRIBUTES_OF_TLS = List.of("socketTLS", "startTLS");
    private static final List<String> COUNTS = List.of(
        "connectionLimit", "connectionLimitPerIP", "connectiontimeout", "ioWorkerCount", "maxExecutorCount");
    /** A size as James reads it: a number of kilobytes, or a number with a unit (K, M, G). */
    private static final java.util.regex.Pattern SIZE = java.util.regex.Pattern.compile("\\d+\\s*[kKmMgG]?[bB]?");

    private final Path confDirectory;
    private final AddressProbe addressProbe;

    /** Tells whether another process holds an address; the WebAdmin port is checked with it. */
    @FunctionalInterface
    public interface AddressProbe {
        boolean inUse(String host, int port);
    }

    public ConfigPreflight(Path confDirectory) {
        this(confDirectory, (host, port) -> false);
    }

    public ConfigPreflight(Path confDirectory, AddressProbe addressProbe) {
        this.confDirectory = confDirectory;
        this.addressProbe = addressProbe;
    }

    public void check() {
        List<Path> xmlFiles = xmlFiles();
        for (Path file : xmlFiles) {
            Document document = parse(file);
            String name = file.getFileName().toString();
            String stem = name.substring(0, name.length() - ".xml".length());
            if (LISTENER_FILES.contains(stem)) {
                checkListeners(name, stem, document);
            }
            if (stem.equals("dnsservice")) {
                checkDns(name, document);
            }
        }
        checkWebAdmin();
    }

    private List<Path> xmlFiles() {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(confDirectory, "*.xml")) {
            stream.forEach(files::add);
        } catch (IOException e) {
            throw ConfigurationError.unreadable(confDirectory.toString(), "directory", "cannot be listed: " + e.getMessage());
        }
        files.sort(null);
        return files;
    }

    static Document parse(Path file) {
        String name = file.getFileName().toString();
        try (InputStream in = Files.newInputStream(file)) {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", false);
            factory.setFeature("http://xml.org/sax/features/external-general-entities", false);
            factory.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
            factory.setExpandEntityReferences(false);
            DocumentBuilder builder = factory.newDocumentBuilder();
            builder.setErrorHandler(null);
            return builder.parse(in);
        } catch (SAXParseException e) {
            throw new ConfigurationError(name, "line " + e.getLineNumber() + ", column " + e.getColumnNumber(),
                "", "malformed XML: " + e.getMessage());
        } catch (SAXException | ParserConfigurationException | IOException e) {
            throw ConfigurationError.unreadable(name, "file", "cannot be read: " + e.getMessage());
        }
    }

    private void checkListeners(String fileName, String elementName, Document document) {
        NodeList servers = document.getElementsByTagName(elementName);
        for (int i = 0; i < servers.getLength(); i++) {
            Element server = (Element) servers.item(i);
            String where = elementName + "[" + label(server, i) + "]";
            attribute(server, "enabled").ifPresent(value -> bool(fileName, where + "@enabled", value));
            child(server, "bind").ifPresent(value -> checkBind(fileName, where + "/bind", value));
            child(server, "tls").ifPresent(ignored -> {
                Element tls = (Element) server.getElementsByTagName("tls").item(0);
                for (String attribute : BOOLEAN_ATTRIBUTES_OF_TLS) {
                    attribute(tls, attribute).ifPresent(value -> bool(fileName, where + "/tls@" + attribute, value));
                }
            });
            for (String count : COUNTS) {
                child(server, count).ifPresent(value -> count(fileName, where + "/" + count, value));
            }
            if (elementName.equals("smtpserver") || elementName.equals("lmtpserver")) {
                child(server, LineLimit.KEY).ifPresent(value -> {
                    try {
                        LineLimit.parse(value);
                    } catch (IllegalArgumentException e) {
                        throw new ConfigurationError(fileName, where + "/" + LineLimit.KEY, value, e.getMessage());
                    }
                });
            }
            child(server, "maxmessagesize").ifPresent(value -> {
                if (!SIZE.matcher(value).matches()) {
                    throw new ConfigurationError(fileName, where + "/maxmessagesize", value,
                        "expected a size such as 51200 (kilobytes), 50M or 1G");
                }
            });
        }
    }

    private void checkDns(String fileName, Document document) {
        NodeList autodiscover = document.getElementsByTagName("autodiscover");
        for (int i = 0; i < autodiscover.getLength(); i++) {
            bool(fileName, "autodiscover", autodiscover.item(i).getTextContent());
        }
    }

    private void checkWebAdmin() {
        Path file = confDirectory.resolve("webadmin.properties");
        if (!Files.exists(file)) {
            return;
        }
        StrictProperties properties = StrictProperties.load(file);
        boolean enabled = properties.bool("enabled").orElse(false);
        int port = properties.intInRange("port", 0, 65535).orElse(8000);
        String host = properties.string("host").orElse("localhost");
        // James would log the bind failure and keep running without its admin API: refuse to start instead.
        if (enabled && port != 0 && addressProbe.inUse(host, port)) {
            throw properties.error("port", String.valueOf(port), "address " + host + ":" + port + " already in use by another process");
        }
    }

    private static String label(Element server, int index) {
        return child(server, "jmxName").filter(name -> !name.isEmpty()).orElse(String.valueOf(index + 1));
    }

    private static void checkBind(String fileName, String key, String value) {
        for (String address : value.split(",")) {
            String trimmed = address.trim();
            int colon = trimmed.lastIndexOf(':');
            if (colon <= 0 || colon == trimmed.length() - 1) {
                throw new ConfigurationError(fileName, key, value, "expected host:port, such as 0.0.0.0:25");
            }
            String port = trimmed.substring(colon + 1);
            int parsed;
            try {
                parsed = Integer.parseInt(port);
            } catch (NumberFormatException e) {
                throw new ConfigurationError(fileName, key, value, "port '" + port + "' is not a number");
            }
            if (parsed < 1 || parsed > 65535) {
                throw new ConfigurationError(fileName, key, value, "port " + parsed + " out of range, expected 1..65535");
            }
        }
    }

    private static void bool(String fileName, String key, String value) {
        String normalized = value.trim().toLowerCase(Locale.ROOT);
        if (!normalized.equals("true") && !normalized.equals("false")) {
            throw new ConfigurationError(fileName, key, value.trim(), "unknown value, expected true or false");
        }
    }

    private static void count(String fileName, String key, String value) {
        try {
            if (Long.parseLong(value.trim()) < 0) {
                throw new ConfigurationError(fileName, key, value.trim(), "out of range, expected 0 or more");
            }
        } catch (NumberFormatException e) {
            throw new ConfigurationError(fileName, key, value.trim(), "expected a whole number");
        }
    }

    private static Optional<String> attribute(Element element, String name) {
        return element.hasAttribute(name) ? Optional.of(element.getAttribute(name)) : Optional.empty();
    }

    private static Optional<String> child(Element parent, String name) {
        for (Node node = parent.getFirstChild(); node != null; node = node.getNextSibling()) {
            if (node instanceof Element && ((Element) node).getTagName().equals(name)) {
                return Optional.of(node.getTextContent().trim());
            }
        }
        return Optional.empty();
    }
}
