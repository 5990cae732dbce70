package org.postino.mailets.delivery.engine;

import java.util.Optional;

import org.apache.james.core.MailAddress;
import org.postino.mailets.delivery.dsn.EnhancedStatus;

/**
 * How one recipient ended in one attempt, with what a notice needs to say about it: the remote
 * server's reply and name when a server answered, and in every case a reason for logs.
 */
record RecipientResult(MailAddress recipient, EnhancedStatus status, Optional<String> diagnostic, Optional<String> remoteMta,
                       String reason) {

    boolean delivered() {
        return status.isSuccess();
    }

    boolean permanent() {
        return status.isPermanent();
    }

    boolean temporary() {
        return status.isTransient();
    }

    String describe() {
        return recipient.asString() + " " + status.asString() + " (" + reason + ")" + remoteMta.map(host -> " at " + host).orElse("");
    }
}
