package org.postino.mailets.delivery.routing;

import java.util.List;
import java.util.Objects;

/**
 * Where mail for one destination domain goes, as {@link MxResolver#resolve(String)} found it: {@link Destinations}
 * to try in order, or a {@link Failure} saying why not, with the RFC 3463 enhanced status code a notice reports.
 * <pre>{@code
 * Route route = mxResolver.resolve("example.com");
 * if (route instanceof Route.Destinations destinations) {
 *     // try destinations.targets() in order, each target's addresses in order; next one on failure
 * } else if (route instanceof Route.Failure failure) {
 *     // failure.isPermanent(): fail the recipients with failure.status(); otherwise retry later
 * }
 * }</pre>
 */
public sealed interface Route permits Route.Destinations, Route.Failure {

    /** The hosts to try, MX by ascending preference, hosts of equal preference in random order. */
    record Destinations(List<Target> targets) implements Route {

        public Destinations {
            targets = List.copyOf(targets);
            if (targets.isEmpty()) {
                throw new IllegalArgumentException("destinations need at least one target");
            }
        }

        public static Destinations of(List<Target> targets) {
            return new Destinations(targets);
        }
    }

    /** No destination: {@link #isPermanent()} failures end delivery to the domain, the others are retried. */
    sealed interface Failure extends Route permits NullMx, PermanentFailure, TemporaryFailure {

        /** RFC 3463 enhanced status code, e.g. {@code 5.1.10}. */
        String status();

        /** What went wrong, for logs and the human-readable part of a notice. */
        String reason();

        boolean isPermanent();
    }

    /** RFC 7505: the domain publishes an MX with exchange "." and accepts no mail. Fail at once, connect nowhere. */
    record NullMx(String domain) implements Failure {

        public static final String STATUS = "5.1.10";

        public NullMx {
            Objects.requireNonNull(domain, "domain");
        }

        @Override
        public String status() {
            return STATUS;
        }

        @Override
        public String reason() {
            return "Recipient address has null MX: " + domain + " accepts no mail (RFC 7505)";
        }

        @Override
        public boolean isPermanent() {
            return true;
        }
    }

    /** DNS said the destination cannot be reached, e.g. NXDOMAIN ({@value #NO_SUCH_DOMAIN}). */
    record PermanentFailure(String reason, String status) implements Failure {

        /** The domain does not exist (NXDOMAIN). */
        public static final String NO_SUCH_DOMAIN = "5.1.2";
        /** The domain or domain literal is not well formed. */
        public static final String BAD_SYNTAX = "5.1.3";
        /** The domain exists but neither its MX hosts nor the domain itself have a usable address. */
        public static final String NO_ADDRESS = "5.4.4";

        public PermanentFailure {
            Objects.requireNonNull(reason, "reason");
            requireClass(status, 5);
        }

        public static PermanentFailure noSuchDomain(String reason) {
            return new PermanentFailure(reason, NO_SUCH_DOMAIN);
        }

        public static PermanentFailure badSyntax(String reason) {
            return new PermanentFailure(reason, BAD_SYNTAX);
        }

        public static PermanentFailure noAddress(String reason) {
            return new PermanentFailure(reason, NO_ADDRESS);
        }

        @Override
        public boolean isPermanent() {
            return true;
        }
    }

    /** DNS could not answer now (SERVFAIL, timeout, network error): retry later. */
    record TemporaryFailure(String reason, String status) implements Failure {

        /** Routing server failure. */
        public static final String DNS_FAILURE = "4.4.3";

        public TemporaryFailure {
            Objects.requireNonNull(reason, "reason");
            requireClass(status, 4);
        }

        public static TemporaryFailure dnsFailure(String reason) {
            return new TemporaryFailure(reason, DNS_FAILURE);
        }

        @Override
        public boolean isPermanent() {
            return false;
        }
    }

    /** The notices' own status parser decides what a valid code is; a route only adds which class it must be. */
    private static void requireClass(String status, int statusClass) {
        if (org.postino.mailets.delivery.dsn.EnhancedStatus.parse(status).statusClass() != statusClass) {
            throw new IllegalArgumentException(
                "expected an enhanced status code " + statusClass + ".X.Y, was '" + status + "'");
        }
    }
}
