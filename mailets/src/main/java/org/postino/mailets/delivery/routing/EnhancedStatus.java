package org.postino.mailets.delivery.routing;

import java.util.Objects;
import java.util.regex.Pattern;

/** Checks the RFC 3463 status codes the failures of a {@link Route} carry. */
final class EnhancedStatus {

    private static final Pattern SYNTAX = Pattern.compile("[245]\\.\\d{1,3}\\.\\d{1,3}");

    private EnhancedStatus() {
    }

    static void check(String status, char expectedClass) {
        Objects.requireNonNull(status, "status");
        if (!SYNTAX.matcher(status).matches() || status.charAt(0) != expectedClass) {
            throw new IllegalArgumentException(
                "expected an enhanced status code " + expectedClass + ".X.Y, was '" + status + "'");
        }
    }
}
