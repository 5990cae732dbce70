package org.postino.server.autoconfig;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.apache.james.core.Domain;
import org.apache.james.domainlist.api.DomainList;
import org.apache.james.domainlist.api.DomainListException;

/**
 * The mail domains this server serves, as the set-up answers need them. Only domains are ever looked up, never users:
 * the answers must not tell whether an address exists.
 */
public interface ServedDomains {

    /** Whether mail for {@code domain} is served here; throws {@link Unavailable} when that cannot be told now. */
    boolean serves(Domain domain);

    /** Every served domain (for Thunderbird's list), possibly a little out of date. */
    List<Domain> all();

    /** The domain store could not answer. */
    final class Unavailable extends RuntimeException {
        public Unavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * James's domain list. {@link #serves} asks it each time (one indexed look-up, so that a domain just added is
     * answered for at once); the full list is kept for a minute.
     */
    static ServedDomains of(DomainList domainList, Clock clock) {
        return new FromDomainList(domainList, clock);
    }

    /** See {@link #of}. */
    final class FromDomainList implements ServedDomains {
        private static final Duration LIST_LIFETIME = Duration.ofMinutes(1);

        private final DomainList domainList;
        private final Clock clock;
        private volatile List<Domain> listed;
        private volatile Instant listedAt = Instant.MIN;

        FromDomainList(DomainList domainList, Clock clock) {
            this.domainList = domainList;
            this.clock = clock;
        }

        @Override
        public boolean serves(Domain domain) {
            try {
                return domainList.containsDomain(domain);
            } catch (DomainListException | RuntimeException e) {
                throw new Unavailable("the domain list cannot be read: " + e.getMessage(), e);
            }
        }

        @Override
        public List<Domain> all() {
            Instant now = clock.instant();
            List<Domain> current = listed;
            if (current == null || now.isAfter(listedAt.plus(LIST_LIFETIME))) {
                try {
                    current = List.copyOf(domainList.getDomains());
                } catch (DomainListException | RuntimeException e) {
                    throw new Unavailable("the domain list cannot be read: " + e.getMessage(), e);
                }
                listed = current;
                listedAt = now;
            }
            return current;
        }
    }
}
