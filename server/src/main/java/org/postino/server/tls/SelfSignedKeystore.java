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
        if (generate(keystore, "postino", PASSWORD, "CN=" + hostname + ", O=Postino self-signed",
                "dns:" + hostname + ",dns:localhost,ip:127.0.0.1")) {
            LOGGER.info("Generated a self-signed certificate for {} in {}", hostname, keystore);
        }
        return keystore;
    }

    /**
     * Creates a PKCS12 keystore holding one RSA key pair and its self-signed certificate under {@code alias},
     * unless {@code keystore} exists already; true when it was created. The file appears complete or not at all.
     */
    public static boolean generate(Path keystore, String alias, String password, String dname, String subjectAltNames)
        throws IOException, InterruptedException {
        if (Files.exists(keystore)) {
            return false;
        }
        Files.createDirectories(keystore.getParent());
        Path partial = keystore.resolveSibling(keystore.getFileName() + ".partial");
        Files.deleteIfExists(partial);
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        List<String> command = new java.util.ArrayList<>(List.of(keytool.toString(), "-genkeypair", "-noprompt",
            "-alias", alias, "-keyalg", "RSA", "-keysize", "2048", "-validity", "3650",
            "-dname", dname,
            "-storetype", "PKCS12", "-keystore", partial.toString(),
            "-storepass", password, "-keypass", password));
        if (subjectAltNames != null) {
            command.add("-ext");
            command.add("SAN=" + subjectAltNames);
        }
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException("keytool could not generate a key pair into " + keystore + ": " + output.trim());
        }
        try {
            Files.setPosixFilePermissions(partial, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: nothing more to restrict
        }
        Files.move(partial, keystore);
        return true;
    }

    public static String defaultHostname() {
        try {
            return InetAddress.getLocalHost().getCanonicalHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }
}
