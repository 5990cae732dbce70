package org.postino.server.autoconfig;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.apache.james.core.Domain;

/**
 * Thunderbird's autoconfig document ({@code clientConfig} version 1.1): incoming servers (IMAP, then POP3 when it has a
 * usable listener) and outgoing SMTP servers, each listener best first, logging in with the full address
 * ({@code %EMAILADDRESS%}, which Thunderbird fills in) and a password sent inside TLS.
 */
final class ThunderbirdConfig {

    private ThunderbirdConfig() {
    }

    /**
     * @param requested the domain of the address being set up: the provider's id and its first domain
     * @param served    every domain the server serves; names without a dot ({@code localhost}) and address literals are
     *                  left out of the list
     */
    static String of(ClientSetup setup, Domain requested, List<Domain> served) {
        Set<String> domains = new LinkedHashSet<>();
        domains.add(requested.asString());
        for (Domain domain : served) {
            String name = domain.asString();
            if (name.contains(".") && !name.startsWith("[") && !name.matches("[0-9.]+") && !name.contains(":")) {
                domains.add(name);
            }
        }
        XmlText xml = new XmlText()
            .open("clientConfig").attribute("version", "1.1")
            .open("emailProvider").attribute("id", requested.asString());
        domains.forEach(name -> xml.element("domain", name));
        xml.element("displayName", requested.asString())
            .element("displayShortName", requested.asString());
        for (ClientSetup.Service service : setup.of(ClientSetup.Protocol.IMAP)) {
            server(xml, "incomingServer", "imap", setup.hostname(), service);
        }
        for (ClientSetup.Service service : setup.of(ClientSetup.Protocol.POP3)) {
            server(xml, "incomingServer", "pop3", setup.hostname(), service);
        }
        for (ClientSetup.Service service : setup.of(ClientSetup.Protocol.SMTP)) {
            server(xml, "outgoingServer", "smtp", setup.hostname(), service);
        }
        return xml.toString();
    }

    private static void server(XmlText xml, String element, String type, String hostname, ClientSetup.Service service) {
        xml.open(element).attribute("type", type)
            .element("hostname", hostname)
            .element("port", Integer.toString(service.port()))
            .element("socketType", service.security() == ClientSetup.Security.IMPLICIT_TLS ? "SSL" : "STARTTLS")
            .element("authentication", "password-cleartext")
            .element("username", "%EMAILADDRESS%")
            .close();
    }
}
