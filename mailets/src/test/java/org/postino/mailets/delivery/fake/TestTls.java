package org.postino.mailets.delivery.fake;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;

import org.postino.mailets.delivery.smtp.TrustingTls;

/** TLS material for tests: a self-signed server key made once with the JDK's keytool. */
public final class TestTls {

    private static SSLContext server;

    private TestTls() {
    }

    public static synchronized SSLContext serverContext() throws Exception {
        if (server == null) {
            Path dir = Files.createTempDirectory("fake-mx-tls");
            Path keystore = dir.resolve("mx.p12");
            Process keytool = new ProcessBuilder(List.of(
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-noprompt", "-alias", "mx", "-keyalg", "RSA", "-keysize", "2048",
                "-dname", "CN=fake.mx", "-validity", "2", "-storetype", "PKCS12",
                "-keystore", keystore.toString(), "-storepass", "changeit", "-keypass", "changeit"))
                .redirectErrorStream(true).start();
            keytool.getInputStream().readAllBytes();
            if (keytool.waitFor() != 0) {
                throw new IllegalStateException("keytool failed");
            }
            KeyStore store = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(keystore)) {
                store.load(in, "changeit".toCharArray());
            }
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, "changeit".toCharArray());
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), null, null);
            server = context;
        }
        return server;
    }

    public static SSLSocketFactory trustingClient() {
        return TrustingTls.acceptingAnyCertificate();
    }
}
