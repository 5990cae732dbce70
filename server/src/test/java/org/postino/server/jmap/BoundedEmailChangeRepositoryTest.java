package org.postino.server.jmap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.apache.james.jmap.api.change.EmailChange;
import org.apache.james.jmap.api.change.EmailChangeRepository;
import org.apache.james.jmap.api.change.EmailChangeRepositoryContract;
import org.apache.james.jmap.api.change.State;
import org.apache.james.jmap.api.exception.ChangeNotFoundException;
import org.apache.james.mailbox.model.MessageId;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postino.server.storage.PostinoMessageId;

/** James's contract for e-mail change repositories, plus the bound: old states are refused, never answered wrong. */
class BoundedEmailChangeRepositoryTest implements EmailChangeRepositoryContract {

    private static final PostinoMessageId.Factory IDS = new PostinoMessageId.Factory();
    private BoundedEmailChangeRepository repository;

    @BeforeEach
    void setUp() {
        repository = new BoundedEmailChangeRepository(100, DEFAULT_NUMBER_OF_CHANGES);
    }

    @Override
    public EmailChangeRepository emailChangeRepository() {
        return repository;
    }

    @Override
    public MessageId generateNewMessageId() {
        return IDS.generate();
    }

    @Override
    public State generateNewState() {
        return State.Factory.DEFAULT.generate();
    }

    @Test
    void onlyTheLastChangesAreKeptAndOlderStatesAskForAResync() {
        BoundedEmailChangeRepository small = new BoundedEmailChangeRepository(3, DEFAULT_NUMBER_OF_CHANGES);
        List<State> states = new ArrayList<>();
        ZonedDateTime start = ZonedDateTime.parse("2026-11-29T10:00:00Z");
        for (int i = 0; i < 5; i++) {
            State state = generateNewState();
            states.add(state);
            small.save(EmailChange.builder().accountId(ACCOUNT_ID).state(state).date(start.plusMinutes(i))
                .isDelegated(false).created(generateNewMessageId()).build()).block();
        }

        assertThat(small.getLatestState(ACCOUNT_ID).block()).isEqualTo(states.get(4));
        assertThat(small.getSinceState(ACCOUNT_ID, states.get(2), Optional.empty()).block().getNewState()).isEqualTo(states.get(4));
        assertThatThrownBy(() -> small.getSinceState(ACCOUNT_ID, states.get(1), Optional.empty()).block())
            .isInstanceOf(ChangeNotFoundException.class);
        assertThatThrownBy(() -> small.getSinceState(ACCOUNT_ID, State.INITIAL, Optional.empty()).block())
            .isInstanceOf(ChangeNotFoundException.class);
    }
}
