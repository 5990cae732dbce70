package org.postino.server.jmap;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.util.Optional;

import org.apache.james.vacation.api.AccountId;
import org.apache.james.vacation.api.Vacation;
import org.apache.james.vacation.api.VacationPatch;
import org.apache.james.vacation.api.VacationRepository;
import org.apache.james.vacation.api.VacationRepositoryContract;
import org.apache.james.util.ValuePatch;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** James's own contract for vacation repositories, plus what the file adds: settings survive a new instance. */
class FileVacationRepositoryTest implements VacationRepositoryContract {

    @TempDir
    Path directory;
    private FileVacationRepository repository;

    @BeforeEach
    void setUp() {
        repository = new FileVacationRepository(directory);
    }

    @Override
    public VacationRepository vacationRepository() {
        return repository;
    }

    @Test
    void settingsSurviveARestart() {
        ZonedDateTime until = ZonedDateTime.parse("2026-12-24T18:00+01:00[Europe/Rome]");
        repository.modifyVacation(AccountId.fromString("alice@example.com"), VacationPatch.builder()
            .isEnabled(true)
            .toDate(ValuePatch.modifyTo(until))
            .subject(ValuePatch.modifyTo("Fuori ufficio"))
            .textBody(ValuePatch.modifyTo("Torno il 27 dicembre.\nPer urgenze: bob@example.com"))
            .build()).block();

        Vacation reread = new FileVacationRepository(directory).retrieveVacation(AccountId.fromString("alice@example.com")).block();

        assertThat(reread.isEnabled()).isTrue();
        assertThat(reread.getToDate()).contains(until);
        assertThat(reread.getSubject()).contains("Fuori ufficio");
        assertThat(reread.getTextBody()).contains("Torno il 27 dicembre.\nPer urgenze: bob@example.com");
        assertThat(reread.getHtmlBody()).isEqualTo(Optional.empty());
        assertThat(new FileVacationRepository(directory).retrieveVacation(AccountId.fromString("bob@example.com")).block())
            .isEqualTo(VacationRepository.DEFAULT_VACATION);
    }
}
