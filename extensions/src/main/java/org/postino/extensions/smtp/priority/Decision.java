package org.postino.extensions.smtp.priority;

import org.postino.mailets.priority.MailPriority;

/** The priority a message gets at ingress, and why. */
public record Decision(MailPriority priority, Reason reason) {

    @Override
    public String toString() {
        return priority.value() + " (" + reason + ")";
    }
}
