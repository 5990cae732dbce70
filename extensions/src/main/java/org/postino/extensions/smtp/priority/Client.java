package org.postino.extensions.smtp.priority;

import org.apache.james.protocols.smtp.SMTPSession;

/**
 * What the priority policy needs to know about the SMTP client that handed over a message.
 *
 * @param authenticated the client logged in with SMTP AUTH
 * @param relayingAllowed James lets this client relay (logged in, or in {@code authorizedAddresses})
 */
public record Client(boolean authenticated, boolean relayingAllowed) {

    public static Client of(SMTPSession session) {
        return new Client(session.getUsername() != null, session.isRelayingAllowed());
    }

    public static Client stranger() {
        return new Client(false, false);
    }

    public static Client loggedIn() {
        return new Client(true, true);
    }
}
