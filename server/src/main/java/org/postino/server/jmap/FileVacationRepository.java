package org.postino.server.jmap;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.james.vacation.api.AccountId;
import org.apache.james.vacation.api.Vacation;
import org.apache.james.vacation.api.VacationPatch;
import org.apache.james.vacation.api.VacationRepository;

import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Out-of-office settings (JMAP {@code VacationResponse}, James's {@code VacationMailet}), one small properties file per
 * account under {@code <data.dir>/jmap/vacation}, so a restart does not silently switch a user's auto-reply off or on.
 * A change is written to a temporary file, forced to disk and renamed over the old one: a crash leaves the old or the
 * new settings, never a mix. Reads come from memory after the first.
 */
public class FileVacationRepository implements VacationRepository {

    private final AccountFiles files;
    private final ConcurrentHashMap<AccountId, Vacation> cache = new ConcurrentHashMap<>();

    public FileVacationRepository(Path directory) {
        this.files = new AccountFiles(directory);
    }

    @Override
    public Mono<Vacation> retrieveVacation(AccountId accountId) {
        Objects.requireNonNull(accountId, "accountId");
        return Mono.fromCallable(() -> cache.computeIfAbsent(accountId, this::read)).subscribeOn(Schedulers.boundedElastic());
    }

    @Override
    public Mono<Void> modifyVacation(AccountId accountId, VacationPatch patch) {
        Objects.requireNonNull(accountId, "accountId");
        Objects.requireNonNull(patch, "vacationPatch");
        return Mono.fromRunnable(() -> cache.compute(accountId, (id, current) -> {
                Vacation updated = patch.patch(current == null ? read(id) : current);
                write(id, updated);
                return updated;
            }))
            .subscribeOn(Schedulers.boundedElastic())
            .then();
    }

    private Vacation read(AccountId accountId) {
        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(file(accountId))) {
            properties.load(new java.io.InputStreamReader(in, StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            return DEFAULT_VACATION;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the vacation settings of " + accountId.getIdentifier(), e);
        }
        return Vacation.builder()
            .enabled(Boolean.parseBoolean(properties.getProperty("enabled", "false")))
            .fromDate(date(properties.getProperty("fromDate")))
            .toDate(date(properties.getProperty("toDate")))
            .subject(Optional.ofNullable(properties.getProperty("subject")))
            .textBody(Optional.ofNullable(properties.getProperty("textBody")))
            .htmlBody(Optional.ofNullable(properties.getProperty("htmlBody")))
            .build();
    }

    private static Optional<ZonedDateTime> date(String text) {
        return Optional.ofNullable(text).map(ZonedDateTime::parse);
    }

    private void write(AccountId accountId, Vacation vacation) {
        Properties properties = new Properties();
        properties.setProperty("account", accountId.getIdentifier());
        properties.setProperty("enabled", Boolean.toString(vacation.isEnabled()));
        vacation.getFromDate().ifPresent(date -> properties.setProperty("fromDate", date.toString()));
        vacation.getToDate().ifPresent(date -> properties.setProperty("toDate", date.toString()));
        vacation.getSubject().ifPresent(text -> properties.setProperty("subject", text));
        vacation.getTextBody().ifPresent(text -> properties.setProperty("textBody", text));
        vacation.getHtmlBody().ifPresent(text -> properties.setProperty("htmlBody", text));
        try {
            java.io.StringWriter text = new java.io.StringWriter();
            properties.store(text, null);
            files.replace(file(accountId), text.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save the vacation settings of " + accountId.getIdentifier(), e);
        }
    }

    private Path file(AccountId accountId) {
        return files.path(accountId.getIdentifier(), ".properties");
    }
}
