package org.postino.server.tls;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives a fresh installation working STARTTLS, IMAPS and SMTPS: when the listeners' keystore does
 * not exist yet, a self-signed RSA certificate is generated into it with the JDK's own
 * {@code keytool} (so no extra crypto library is needed). Clients will warn about the certificate
 * until the operator configures a real one (see conf/README.md, "TLS").
 */
public final class SelfSignedKeystore {

    /** Path of the generated keystore inside the data directory, as the shipped XML files name it. */
    public static final String RELATIVE_PATH = "tls/selfsigned.p12";
    /** Protects the generated keystore file; the file itself is readable by its owner only. */
    public static final String PASSWORD = "postino-selfsigned";
    private static final Logger LOGGER = LoggerFactory.getLogger(SelfSignedKeystore.class);

    private SelfSignedKeystore() {
    }

    public static Path ensure(Path dataDirectory, String hostname) throws IOException, InterruptedException {
        Path keystore = dataDirectory.resolve(RELATIVE_PATH);
        if (Files.exists(keystore)) {
            return keystore;
        }
        Files.createDirectories(keystore.getParent());
        Path partial = keystore.resolveSibling("selfsigned.p12.partial");
        Files.deleteIfExists(partial);
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        List<String> command = List.of(keytool.toString(), "-genkeypair", "-noprompt",
            "-alias", "postino", "-keyalg", "RSA", "-keysize", "2048", "-validity", "3650",
            "-dname", "CN=" + hostname + ", O=Postino self-signed",
            "-ext", "SAN=dns:" + hostname + ",dns:localhost,ip:127.0.0.1",
            "-storetype", "PKCS12", "-keystore", partial.toString(),
            "-storepass", PASSWORD, "-keypass", PASSWORD);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException("keytool could not generate a self-signed certificate: " + output.trim());
        }
        try {
            Files.setPosixFilePermissions(partial, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: nothing more to restrict
        }
        Files.move(partial, keystore);
        LOGGER.info("Generated a self-signed certificate for {} in {}", hostname, keystore);
        return keystore;
    }

    public static String defaultHostname() {
        try {
            return InetAddress.getLocalHost().getCanonicalHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }
}
