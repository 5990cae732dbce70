package org.postino.server.it;

import javax.net.ssl.SSLContext;

import org.postino.mailets.delivery.smtp.TrustingTls;

/** The test installation uses its generated self-signed certificate: tests accept it. */
final class TrustAll {

    private TrustAll() {
    }

    static SSLContext context() {
        return TrustingTls.context();
    }
}
