package org.postino.matchers;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMatcher;

/**
 * Matches the recipients whose domain is one of the listed destination domains.
 *
 * <h2>Condition</h2>
 * Required: a comma-separated list of domains. A domain written as is ({@code example.com}) matches that domain
 * only; written with a leading dot ({@code .example.com}) it matches every subdomain of it ({@code mx.example.com},
 * {@code a.b.example.com}) but not {@code example.com} itself, as Postfix's transport tables do. List both to have
 * both. Comparison ignores case and a trailing dot. A domain literal is written without brackets
 * ({@code 192.0.2.1}), as James holds it. An empty condition, an empty entry or an entry with {@code @} or spaces
 * stops the server at start-up with a message naming the matcher, the condition and the bad value.
 *
 * <p>James's own {@code HostIs} does the first half of this (exact domains only).
 *
 * <h2>Example</h2>
 * Route a partner's domains to a second delivery engine with its own queue and policy (required TLS, a longer
 * lifetime), and leave the rest to the default one:
 * <pre>{@code
 * <mailet match="org.postino.matchers.DestinationDomainIs=partner.example, .partner.example"
 *         class="org.postino.mailets.DeliverRemotely">
 *     <outgoingQueue>outgoing-partner</outgoingQueue>
 *     <tls>required</tls>
 *     <lifetime>7d</lifetime>
 * </mailet>
 * <mailet match="All" class="org.postino.mailets.DeliverRemotely"/>
 * }</pre>
 */
public class DestinationDomainIs extends GenericMatcher {

    private Set<String> exact = Set.of();
    private List<String> parents = List.of();

    @Override
    public void init() throws MessagingException {
        String name = Optional.ofNullable(getMatcherName()).orElse(DestinationDomainIs.class.getSimpleName());
        String condition = Optional.ofNullable(getCondition()).orElse("").trim();
        if (condition.isEmpty()) {
            throw new MessagingException(name + ": the condition must list at least one domain, e.g. "
                + name + "=example.com, .example.com");
        }
        Set<String> exactDomains = new TreeSet<>();
        List<String> parentDomains = new ArrayList<>();
        for (String entry : condition.split(",", -1)) {
            String domain = normalise(entry.trim());
            boolean subdomains = domain.startsWith(".");
            String bare = subdomains ? domain.substring(1) : domain;
            if (bare.isEmpty() || bare.startsWith(".") || bare.contains("..") || bare.contains("@") || bare.matches(".*\\s.*")) {
                throw new MessagingException(name + "=" + condition + ": '" + entry.trim() + "' is not a domain");
            }
            if (subdomains) {
                parentDomains.add(domain);
            } else {
                exactDomains.add(domain);
            }
        }
        exact = Set.copyOf(exactDomains);
        parents = List.copyOf(parentDomains);
    }

    @Override
    public Collection<MailAddress> match(Mail mail) {
        List<MailAddress> matched = new ArrayList<>();
        for (MailAddress recipient : mail.getRecipients()) {
            if (matches(normalise(recipient.getDomain().asString()))) {
                matched.add(recipient);
            }
        }
        return matched;
    }

    private boolean matches(String domain) {
        if (exact.contains(domain)) {
            return true;
        }
        for (String parent : parents) {
            if (domain.endsWith(parent)) {
                return true;
            }
        }
        return false;
    }

    private static String normalise(String domain) {
        String lower = domain.toLowerCase(Locale.ROOT);
        return lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
    }

    @Override
    public String getMatcherInfo() {
        return "DestinationDomainIs: matches recipients in " + exact + " and under " + parents;
    }
}
