package org.postino.server.jmap;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.stream.Stream;

import org.apache.james.core.Username;
import org.apache.james.jmap.api.model.Upload;
import org.apache.james.jmap.api.model.UploadId;
import org.apache.james.jmap.api.model.UploadMetaData;
import org.apache.james.mailbox.model.ContentType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import reactor.core.publisher.Mono;

class FileUploadRepositoryTest {
    private static final Username ALICE = Username.of("alice@example.com");
    private static final Username BOB = Username.of("bob@example.com");

    @TempDir
    Path root;

    @Test
    void anUploadIsReadBackByItsOwnerOnly() throws Exception {
        FileUploadRepository uploads = new FileUploadRepository(root, Clock.systemUTC());
        byte[] content = "%PDF-1.4 quarterly figures".getBytes(StandardCharsets.US_ASCII);

        UploadMetaData stored = Mono.from(uploads.upload(new ByteArrayInputStream(content), ContentType.of("application/pdf"), ALICE)).block();

        assertThat(stored.sizeAsLong()).isEqualTo(content.length);
        Upload upload = Mono.from(uploads.retrieve(stored.uploadId(), ALICE)).block();
        assertThat(upload.contentType().asString()).isEqualTo("application/pdf");
        assertThat(upload.sizeAsLong()).isEqualTo(content.length);
        try (InputStream in = upload.content().apply()) {
            assertThat(in.readAllBytes()).isEqualTo(content);
        }
        assertThat(Mono.from(uploads.retrieve(stored.uploadId(), BOB)).blockOptional()).isEmpty();
    }

    @Test
    void unknownIdsAreNotFound() {
        // (an id is a UUID: James refuses anything else, such as a path, before it reaches the repository)
        FileUploadRepository uploads = new FileUploadRepository(root, Clock.systemUTC());
        assertThat(Mono.from(uploads.retrieve(UploadId.random(), ALICE)).blockOptional()).isEmpty();
    }

    @Test
    void uploadsOlderThanADayAreRemovedByTheNextUpload() throws Exception {
        Instant now = Instant.parse("2026-11-29T12:00:00Z");
        FileUploadRepository uploads = new FileUploadRepository(root, Clock.fixed(now, ZoneOffset.UTC));
        UploadMetaData old = Mono.from(uploads.upload(new ByteArrayInputStream(new byte[] {1}), ContentType.of("text/plain"), ALICE)).block();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Files.setLastModifiedTime(file, FileTime.from(now.minus(FileUploadRepository.KEEP).minusSeconds(60)));
            }
        }

        UploadMetaData fresh = Mono.from(uploads.upload(new ByteArrayInputStream(new byte[] {2}), ContentType.of("text/plain"), BOB)).block();

        assertThat(Mono.from(uploads.retrieve(old.uploadId(), ALICE)).blockOptional()).isEmpty();
        assertThat(Mono.from(uploads.retrieve(fresh.uploadId(), BOB)).blockOptional()).isPresent();
    }
}
