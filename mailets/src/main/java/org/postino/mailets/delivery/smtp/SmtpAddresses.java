package org.postino.mailets.delivery.smtp;

import org.apache.james.core.MailAddress;

/**
 * Addresses as they go on the wire. James keeps a domain literal without its brackets
 * ({@code a@192.0.2.1}); SMTP needs them back ({@code a@[192.0.2.1]}, {@code a@[IPv6:::1]}).
 */
public final class SmtpAddresses {

    private SmtpAddresses() {
    }

    public static String domain(MailAddress address) {
        String domain = address.getDomain().asString();
        if (domain.startsWith("[")) {
            return domain;
        }
        if (domain.contains(":")) {
            return "[IPv6:" + domain.replaceFirst("(?i)^ipv6:", "") + "]";
        }
        if (domain.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
            return "[" + domain + "]";
        }
        return domain;
    }

    public static String mailbox(MailAddress address) {
        return address.getLocalPart() + "@" + domain(address);
    }
}
