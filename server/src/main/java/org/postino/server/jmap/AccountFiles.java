package org.postino.server.jmap;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Small per-account files under one directory, as Postino keeps JMAP settings (vacation responses, filter rules) and
 * uploads: a file's name is a hash of the account's address (no address in a path, none too long), and a file is
 * replaced whole — written beside, forced to disk, renamed over — so a crash leaves the old or the new one.
 */
final class AccountFiles {

    private final Path directory;

    AccountFiles(Path directory) {
        this.directory = directory;
    }

    /** This account's name in the directory: 32 hex digits of the SHA-256 of the address, then {@code suffix}. */
    Path path(String account, String suffix) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(account.getBytes(StandardCharsets.UTF_8));
            return directory.resolve(HexFormat.of().formatHex(digest, 0, 16) + suffix);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Replaces {@code target} (in this directory, created when missing) with {@code content}, atomically. */
    void replace(Path target, String content) throws IOException {
        Files.createDirectories(directory);
        Path partial = target.resolveSibling(target.getFileName() + ".partial");
        Files.writeString(partial, content, StandardCharsets.UTF_8);
        try (FileChannel channel = FileChannel.open(partial, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
        Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
