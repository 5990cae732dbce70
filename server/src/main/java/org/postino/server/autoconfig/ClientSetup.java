package org.postino.server.autoconfig;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

import org.apache.commons.configuration2.HierarchicalConfiguration;
import org.apache.commons.configuration2.tree.ImmutableNode;

/**
 * What a mail client needs to reach this server: the host name to connect to and, per protocol, the listeners a client
 * may log in to with a password, best first. Built from the listener files as the server runs them
 * ({@link #fromListeners}); the answers to automatic set-up requests are written from it.
 *
 * <p>Only listeners where a password can never cross the network unencrypted are described:
 * <ul>
 *   <li>implicit TLS ({@code socketTLS="true"}): always;</li>
 *   <li>STARTTLS: IMAP when login before STARTTLS is refused ({@code auth.requireSSL}, James's default from
 *       {@code plainAuthDisallowed}, itself true by default); SMTP when Postino's {@code RequireTlsForAuthHook} is in
 *       the handler chain (James's {@code auth.requireSSL} only hides AUTH until STARTTLS, it still accepts it); POP3
 *       never (James's POP3 server accepts USER/PASS before STLS);</li>
 *   <li>no TLS at all: never.</li>
 * </ul>
 * Disabled listeners are left out, and so are SMTP listeners that do not announce AUTH (port 25, for other servers) and
 * listeners with password logins turned off ({@code auth.plainAuthEnabled=false}). Implicit TLS comes before STARTTLS
 * (RFC 8314 prefers it); otherwise the files' order is kept.
 */
public record ClientSetup(String hostname, List<Service> services) {

    /** The mail protocols a client is told about. */
    public enum Protocol {
        IMAP, POP3, SMTP
    }

    /** How a connection is encrypted: TLS from the first byte, or STARTTLS after the greeting. */
    public enum Security {
        IMPLICIT_TLS, STARTTLS
    }

    /** One listener a client may use. */
    public record Service(Protocol protocol, int port, Security security) {
    }

    static final String REQUIRE_TLS_HOOK = "org.postino.extensions.smtp.RequireTlsForAuthHook";

    public ClientSetup {
        services = List.copyOf(services);
    }

    /** The usable listeners of one protocol, best first (implicit TLS before STARTTLS). */
    public List<Service> of(Protocol protocol) {
        return services.stream().filter(service -> service.protocol() == protocol).collect(Collectors.toList());
    }

    /**
     * @param hostname the name clients connect to
     * @param imap     {@code imapserver.xml} as the server runs it (binds rewritten by {@code ListenerPolicy})
     * @param smtp     {@code smtpserver.xml}, likewise
     * @param pop3     {@code pop3server.xml}, likewise
     */
    public static ClientSetup fromListeners(String hostname, HierarchicalConfiguration<ImmutableNode> imap,
                                            HierarchicalConfiguration<ImmutableNode> smtp,
                                            HierarchicalConfiguration<ImmutableNode> pop3) {
        List<Service> services = new ArrayList<>();
        services.addAll(listeners(Protocol.IMAP, "imapserver", imap));
        services.addAll(listeners(Protocol.POP3, "pop3server", pop3));
        services.addAll(listeners(Protocol.SMTP, "smtpserver", smtp));
        return new ClientSetup(hostname, services);
    }

    private static List<Service> listeners(Protocol protocol, String element,
                                           HierarchicalConfiguration<ImmutableNode> file) {
        List<Service> found = new ArrayList<>();
        if (file == null) {
            return found;
        }
        int last = file.getMaxIndex(element);
        for (int i = 0; i <= last; i++) {
            String prefix = element + "(" + i + ")";
            if (!file.getBoolean(prefix + "[@enabled]", true)) {
                continue;
            }
            String bind = file.getString(prefix + ".bind", null);
            if (bind == null || bind.isBlank()) {
                continue;
            }
            int port;
            try {
                String first = bind.split(",")[0].trim();
                port = Integer.parseInt(first.substring(first.lastIndexOf(':') + 1));
            } catch (RuntimeException e) {
                continue;
            }
            boolean implicitTls = file.getBoolean(prefix + ".tls[@socketTLS]", false);
            boolean startTls = file.getBoolean(prefix + ".tls[@startTLS]", false);
            if (!passwordLoginAllowed(protocol, file, prefix)) {
                continue;
            }
            if (implicitTls) {
                found.add(new Service(protocol, port, Security.IMPLICIT_TLS));
            } else if (startTls && tlsRequiredBeforeLogin(protocol, file, prefix)) {
                found.add(new Service(protocol, port, Security.STARTTLS));
            }
        }
        found.sort(Comparator.comparing(Service::security));
        return found.stream().distinct().collect(Collectors.toList());
    }

    private static boolean passwordLoginAllowed(Protocol protocol, HierarchicalConfiguration<ImmutableNode> file,
                                                String prefix) {
        switch (protocol) {
            case IMAP:
                return file.getBoolean(prefix + ".auth.plainAuthEnabled", true);
            case SMTP:
                return smtpAnnouncesAuth(file, prefix) && file.getBoolean(prefix + ".auth.plainAuthEnabled", true);
            default:
                return true;
        }
    }

    /** James 3.8.1's rule: {@code auth.announce}, else the older {@code authRequired} ({@code true} or {@code announce}). */
    private static boolean smtpAnnouncesAuth(HierarchicalConfiguration<ImmutableNode> file, String prefix) {
        String announce = file.getString(prefix + ".auth.announce", null);
        if (announce != null) {
            return !announce.trim().toLowerCase(Locale.ROOT).equals("never");
        }
        String legacy = file.getString(prefix + ".authRequired", "false").trim().toLowerCase(Locale.ROOT);
        return legacy.equals("true") || legacy.equals("announce");
    }

    private static boolean tlsRequiredBeforeLogin(Protocol protocol, HierarchicalConfiguration<ImmutableNode> file,
                                                  String prefix) {
        switch (protocol) {
            case IMAP:
                return file.getBoolean(prefix + ".auth.requireSSL", file.getBoolean(prefix + ".plainAuthDisallowed", true));
            case SMTP:
                // James's auth.requireSSL only hides AUTH until STARTTLS; a client that sends it anyway is served.
                return hasRequireTlsHook(file, prefix);
            default:
                return false;
        }
    }

    private static boolean hasRequireTlsHook(HierarchicalConfiguration<ImmutableNode> file, String prefix) {
        return file.getList(String.class, prefix + ".handlerchain.handler[@class]", List.of()).stream()
            .map(String::trim)
            .anyMatch(REQUIRE_TLS_HOOK::equals);
    }
}
