package org.postino.extensions.webadmin;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

import org.apache.james.core.Domain;

/** Which mails of the outgoing queue an operator's command is about: all of them, one destination, or one mail. */
final class Selection {

    enum Kind { ALL, DOMAIN, NAME }

    private final Kind kind;
    private final String value;

    private Selection(Kind kind, String value) {
        this.kind = kind;
        this.value = value;
    }

    static Selection all() {
        return new Selection(Kind.ALL, "");
    }

    static Selection domain(Domain domain) {
        return new Selection(Kind.DOMAIN, domain.asString().toLowerCase(Locale.ROOT));
    }

    /**
     * One mail by its queue name.
     *
     * @throws IllegalArgumentException for a blank name, or one with a quote: the JMS queue selects mails by name
     *                                  in a selector string, where a quote would end the literal
     */
    static Selection name(String name) {
        if (name.isBlank()) {
            throw new IllegalArgumentException("a mail name must not be blank");
        }
        if (!selectableByName(name)) {
            throw new IllegalArgumentException("a mail name cannot contain a quote (') in the outgoing queue");
        }
        return new Selection(Kind.NAME, name);
    }

    /** Whether the queue can remove a mail of this name: its JMS selector cannot hold a quote. */
    static boolean selectableByName(String name) {
        return name.indexOf('\'') < 0;
    }

    Kind kind() {
        return kind;
    }

    /** The mail name when this selects one mail. */
    Optional<String> mailName() {
        return kind == Kind.NAME ? Optional.of(value) : Optional.empty();
    }

    boolean matches(QueuedMail mail) {
        switch (kind) {
            case DOMAIN:
                return mail.destination().equals(value);
            case NAME:
                return mail.name().equals(value);
            default:
                return true;
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Selection && ((Selection) o).kind == kind && ((Selection) o).value.equals(value);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, value);
    }

    @Override
    public String toString() {
        return kind == Kind.ALL ? "all mails" : kind.name().toLowerCase(Locale.ROOT) + " " + value;
    }
}
