package org.postino.mailets.delivery.smtp;

import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * TLS between MTAs as RFC 7435 describes it: encrypt whenever possible, without verifying the
 * peer's certificate (most MX certificates would not pass), which still stops passive listeners.
 */
public final class TrustingTls {

    private TrustingTls() {
    }

    public static SSLSocketFactory acceptingAnyCertificate() {
        return context().getSocketFactory();
    }

    /** The same, as a context, for code that needs one (tests' clients, for instance). */
    public static SSLContext context() {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {new X509TrustManager() {
                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType) {
                    // opportunistic: any certificate encrypts as well
                }

                @Override
                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            }}, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no TLS in this JVM", e);
        }
    }
}
