package org.postino.extensions.smtp.priority;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Which SMTP clients may <em>raise</em> a message's priority through a signal they control (the
 * {@code MT-PRIORITY} parameter, the priority headers). Anyone may lower it.
 */
public enum Trust {
    /** Nobody: the signal can only lower the priority. */
    NONE("none"),
    /** Clients that logged in with SMTP AUTH. */
    AUTHENTICATED("authenticated"),
    /** Clients that logged in, or that connect from the listener's {@code authorizedAddresses}. */
    RELAY("relay"),
    /** Every client, including strangers on port 25. Spammers set {@code X-Priority: 1}. */
    ALL("all");

    static final String EXPECTED = Arrays.stream(values()).map(Trust::configName).collect(Collectors.joining(", "));

    private final String configName;

    Trust(String configName) {
        this.configName = configName;
    }

    public String configName() {
        return configName;
    }

    static Optional<Trust> parse(String value) {
        String wanted = value.trim().toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(trust -> trust.configName.equals(wanted)).findFirst();
    }

    boolean trusts(Client client) {
        switch (this) {
            case ALL:
                return true;
            case RELAY:
                return client.authenticated() || client.relayingAllowed();
            case AUTHENTICATED:
                return client.authenticated();
            default:
                return false;
        }
    }
}
