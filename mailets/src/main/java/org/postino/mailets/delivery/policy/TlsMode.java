package org.postino.mailets.delivery.policy;

import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/** Whether STARTTLS is a wish or a condition of delivery to a destination. */
public enum TlsMode {
    /**
     * STARTTLS whenever the remote server advertises it, plaintext when it does not; no certificate check is
     * implied. Postfix's {@code smtp_tls_security_level = may}. The default: most of the Internet, and no worse
     * than plaintext.
     */
    OPPORTUNISTIC,
    /**
     * STARTTLS or no delivery: a server that does not advertise STARTTLS, or whose handshake fails, is a temporary
     * failure, and the mail is never sent in plaintext. Certificate verification is not implied. Postfix's
     * {@code smtp_tls_security_level = encrypt}.
     */
    REQUIRED;

    /** What the parameter accepts, for error messages. */
    static final String EXPECTED = "opportunistic or required";

    /** {@code opportunistic} or {@code required}, in any case. */
    public static Optional<TlsMode> parse(String text) {
        String name = Objects.requireNonNull(text).strip().toUpperCase(Locale.ROOT);
        return Arrays.stream(values()).filter(mode -> mode.name().equals(name)).findFirst();
    }
}
