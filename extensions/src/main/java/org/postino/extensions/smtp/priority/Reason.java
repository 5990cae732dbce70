package org.postino.extensions.smtp.priority;

/** Which rule of the {@link PriorityPolicy} gave a message its priority, in the order the rules are tried. */
public enum Reason {
    MT_PRIORITY("trusted MT-PRIORITY"),
    NOTICE("delivery notice"),
    BULK("bulk"),
    LARGE("large"),
    HEADERS_LOW("headers ask for low"),
    HEADERS_HIGH("headers ask for high"),
    AUTHENTICATED("authenticated"),
    DEFAULT("default"),
    /** Applied last: an untrusted client's negative MT-PRIORITY may lower whatever the rules above chose. */
    MT_PRIORITY_LOWERED("untrusted MT-PRIORITY, lowered");

    private final String description;

    Reason(String description) {
        this.description = description;
    }

    @Override
    public String toString() {
        return description;
    }
}
