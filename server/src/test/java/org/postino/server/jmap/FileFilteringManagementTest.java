package org.postino.server.jmap;

import static org.apache.james.jmap.api.filtering.RuleFixture.RULE_1;
import static org.apache.james.jmap.api.filtering.RuleFixture.RULE_FROM;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.apache.james.core.Username;
import org.apache.james.jmap.api.filtering.FilteringManagement;
import org.apache.james.jmap.api.filtering.FilteringManagementContract;
import org.apache.james.jmap.api.filtering.Rules;
import org.apache.james.jmap.api.filtering.Version;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import reactor.core.publisher.Mono;

/** James's contract for filter rule stores, plus what the files add: rules survive a restart. */
class FileFilteringManagementTest implements FilteringManagementContract {

    @TempDir
    Path directory;

    @Override
    public FilteringManagement instantiateFilteringManagement() {
        return new FileFilteringManagement(directory);
    }

    @Test
    void rulesSurviveARestart() {
        Username alice = Username.of("alice@example.com");
        Mono.from(new FileFilteringManagement(directory).defineRulesForUser(alice, Optional.empty(), RULE_FROM, RULE_1)).block();

        Rules reread = Mono.from(new FileFilteringManagement(directory).listRulesForUser(alice)).block();

        assertThat(reread).isEqualTo(new Rules(List.of(RULE_FROM, RULE_1), new Version(0)));
    }
}
