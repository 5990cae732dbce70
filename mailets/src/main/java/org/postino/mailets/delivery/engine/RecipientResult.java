package org.postino.mailets.delivery.engine;

import java.util.Optional;

import org.apache.james.core.MailAddress;
import org.postino.mailets.delivery.dsn.EnhancedStatus;

/** How one recipient ended in one attempt, with what a notice needs to say about it. */
record RecipientResult(MailAddress recipient, EnhancedStatus status, Optional<String> diagnostic, Optional<String> remoteMta) {

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
        return recipient.asString() + " " + status.asString() + diagnostic.map(text -> " (" + text + ")").orElse("")
            + remoteMta.map(host -> " at " + host).orElse("");
    }
}
