package org.postino.mailets.delivery.dsn;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import javax.mail.MessagingException;
import javax.mail.Session;
import javax.mail.internet.AddressException;
import javax.mail.internet.MimeMessage;

import org.apache.james.core.MailAddress;

/**
 * One golden case: a directory under {@code src/test/resources/dsn/} holding the input, {@code report.properties}
 * and {@code original.eml}, beside the expected output, {@code human.txt}, {@code delivery-status.txt} and
 * {@code notice.eml}. Files are stored with LF line ends; the original is given CRLF before it is parsed, and the
 * output is compared with its CRLFs turned into LFs.
 *
 * <p>report.properties keys: {@code now}, {@code token}, {@code reporting-mta}, {@code arrival-date},
 * {@code notice-from}, {@code notice-to}, optional {@code envelope-id}, {@code ret} (FULL, HEADERS),
 * {@code language}; then {@code recipient.N.final}, {@code .action}, {@code .status} and optional
 * {@code .original}, {@code .remote-mta}, {@code .diagnostic}, {@code .last-attempt}, {@code .will-retry-until},
 * for N = 1, 2, ... Instants are ISO-8601.
 */
final class GoldenCase {

    static final Path ROOT = Paths.get("src", "test", "resources", "dsn");
    static final Session SESSION = Session.getInstance(new Properties());

    private final String name;
    private final Properties input;

    private GoldenCase(String name, Properties input) {
        this.name = name;
        this.input = input;
    }

    static List<GoldenCase> all() throws IOException {
        try (Stream<Path> directories = Files.list(ROOT)) {
            return directories.filter(Files::isDirectory)
                .map(directory -> directory.getFileName().toString())
                .sorted()
                .map(GoldenCase::named)
                .collect(Collectors.toList());
        }
    }

    static GoldenCase named(String name) {
        Properties input = new Properties();
        try (Reader reader = Files.newBufferedReader(ROOT.resolve(name).resolve("report.properties"),
            StandardCharsets.UTF_8)) {
            input.load(reader);
        } catch (IOException e) {
            throw new IllegalStateException("golden case " + name + " has no readable report.properties", e);
        }
        return new GoldenCase(name, input);
    }

    String name() {
        return name;
    }

    DsnWriter writer() {
        String token = required("token");
        return DsnWriter.of(Clock.fixed(instant("now"), ZoneOffset.UTC), () -> token);
    }

    Optional<ReturnContent> requestedReturn() {
        return optional("ret").map(ReturnContent::valueOf);
    }

    DeliveryReport report() throws IOException, MessagingException {
        DeliveryReport.Builder builder = DeliveryReport.builder()
            .reportingMta(required("reporting-mta"))
            .arrivalDate(instant("arrival-date"))
            .envelopeId(optional("envelope-id"))
            .original(original())
            .noticeFrom(address(required("notice-from")))
            .noticeTo(address(required("notice-to")));
        requestedReturn().ifPresent(builder::returnContent);
        optional("language").map(Language::valueOf).ifPresent(builder::language);
        for (int n = 1; input.containsKey("recipient." + n + ".final"); n++) {
            builder.recipient(recipient("recipient." + n + "."));
        }
        return builder.build();
    }

    MimeMessage original() throws IOException, MessagingException {
        String eml = read("original.eml").replace("\n", "\r\n");
        return new MimeMessage(SESSION, new ByteArrayInputStream(eml.getBytes(StandardCharsets.UTF_8)));
    }

    private RecipientReport recipient(String prefix) {
        RecipientReport recipient = RecipientReport.of(address(required(prefix + "final")),
            Action.valueOf(required(prefix + "action")), EnhancedStatus.parse(required(prefix + "status")));
        recipient = optional(prefix + "original").map(recipient::withOriginalRecipient).orElse(recipient);
        recipient = optional(prefix + "remote-mta").map(recipient::withRemoteMta).orElse(recipient);
        recipient = optional(prefix + "diagnostic").map(recipient::withDiagnostic).orElse(recipient);
        recipient = optional(prefix + "last-attempt").map(Instant::parse).map(recipient::withLastAttempt)
            .orElse(recipient);
        return optional(prefix + "will-retry-until").map(Instant::parse).map(recipient::withWillRetryUntil)
            .orElse(recipient);
    }

    Path file(String fileName) {
        return ROOT.resolve(name).resolve(fileName);
    }

    String read(String fileName) throws IOException {
        return Files.readString(file(fileName), StandardCharsets.UTF_8);
    }

    /** Rewrites an expected file; only when run with -Ddsn.golden.update=true, to review with git diff. */
    void update(String fileName, String content) throws IOException {
        Files.writeString(file(fileName), content, StandardCharsets.UTF_8);
    }

    static boolean updating() {
        return Boolean.getBoolean("dsn.golden.update");
    }

    private Instant instant(String key) {
        return Instant.parse(required(key));
    }

    private String required(String key) {
        return optional(key).orElseThrow(() -> new IllegalStateException("golden case " + name + " lacks " + key));
    }

    private Optional<String> optional(String key) {
        return Optional.ofNullable(input.getProperty(key)).map(String::strip).filter(value -> !value.isEmpty());
    }

    static MailAddress address(String text) {
        try {
            return new MailAddress(text);
        } catch (AddressException e) {
            throw new IllegalArgumentException(text, e);
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
