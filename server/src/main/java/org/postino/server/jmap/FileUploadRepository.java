package org.postino.server.jmap;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;
import java.util.UUID;
import java.util.regex.Pattern;

import org.apache.james.blob.api.HashBlobId;
import org.apache.james.core.Username;
import org.apache.james.jmap.api.model.Upload;
import org.apache.james.jmap.api.model.UploadId;
import org.apache.james.jmap.api.model.UploadMetaData;
import org.apache.james.jmap.api.upload.UploadRepository;
import org.apache.james.mailbox.model.ContentType;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Blobs uploaded by JMAP clients (attachments being composed), as files under {@code <data.dir>/jmap/uploads}: one
 * directory per user (a hash of the address), one content file and one small properties file per upload. The content
 * is written to a temporary name first, so a listed upload is always complete. An upload is kept for a day after its
 * last write (RFC 8620 lets a server drop unused uploads after at least an hour); expired ones are removed on the next
 * upload. Only the user who uploaded a blob can read it back.
 */
public class FileUploadRepository implements UploadRepository {

    static final Duration KEEP = Duration.ofDays(1);
    private static final Logger LOGGER = LoggerFactory.getLogger(FileUploadRepository.class);
    private static final Pattern UPLOAD_ID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    private static final HashBlobId.Factory BLOB_IDS = new HashBlobId.Factory();

    private final Path root;
    private final AccountFiles users;
    private final Clock clock;

    public FileUploadRepository(Path root, Clock clock) {
        this.root = root;
        this.users = new AccountFiles(root);
        this.clock = clock;
    }

    @Override
    public Publisher<UploadMetaData> upload(InputStream data, ContentType contentType, Username user) {
        return Mono.fromCallable(() -> store(data, contentType, user)).subscribeOn(Schedulers.boundedElastic());
    }

    private UploadMetaData store(InputStream data, ContentType contentType, Username user) throws IOException {
        Path directory = userDirectory(user);
        Files.createDirectories(directory);
        sweep();
        UUID id = UUID.randomUUID();
        Path partial = directory.resolve(id + ".partial");
        long size;
        try {
            size = Files.copy(data, partial, StandardCopyOption.REPLACE_EXISTING);
            Properties meta = new Properties();
            meta.setProperty("contentType", contentType.asString());
            meta.setProperty("size", Long.toString(size));
            try (var out = Files.newOutputStream(directory.resolve(id + ".properties"))) {
                meta.store(out, null);
            }
            Files.move(partial, directory.resolve(id + ".blob"), StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(partial);
        }
        return UploadMetaData.from(UploadId.from(id), contentType, size, BLOB_IDS.from(id.toString()));
    }

    @Override
    public Publisher<Upload> retrieve(UploadId id, Username user) {
        return Mono.fromCallable(() -> find(id, user)).subscribeOn(Schedulers.boundedElastic())
            .flatMap(Mono::justOrEmpty);
    }

    private java.util.Optional<Upload> find(UploadId id, Username user) throws IOException {
        String name = id.asString();
        if (!UPLOAD_ID.matcher(name).matches()) {
            return java.util.Optional.empty();
        }
        Path directory = userDirectory(user);
        Path blob = directory.resolve(name + ".blob");
        Properties meta = new Properties();
        try (InputStream in = Files.newInputStream(directory.resolve(name + ".properties"))) {
            meta.load(in);
        } catch (NoSuchFileException e) {
            return java.util.Optional.empty();
        }
        if (!Files.exists(blob)) {
            return java.util.Optional.empty();
        }
        long size = Long.parseLong(meta.getProperty("size"));
        ContentType type = ContentType.of(meta.getProperty("contentType"));
        return java.util.Optional.of(Upload.from(UploadMetaData.from(id, type, size, BLOB_IDS.from(name)), () -> {
            try {
                return Files.newInputStream(blob);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }));
    }

    /** Removes the uploads older than {@link #KEEP}, of every user. */
    void sweep() {
        Instant limit = clock.instant().minus(KEEP);
        try (DirectoryStream<Path> users = Files.newDirectoryStream(root)) {
            for (Path user : users) {
                try (DirectoryStream<Path> files = Files.newDirectoryStream(user)) {
                    for (Path file : files) {
                        FileTime modified = Files.getLastModifiedTime(file);
                        if (modified.toInstant().isBefore(limit)) {
                            Files.deleteIfExists(file);
                        }
                    }
                }
            }
        } catch (NoSuchFileException e) {
            // nothing uploaded yet
        } catch (IOException e) {
            LOGGER.warn("Could not remove expired JMAP uploads under {}: {}", root, e.toString());
        }
    }

    private Path userDirectory(Username user) {
        return users.path(user.asString(), "");
    }
}
