package org.postino.mailets.delivery.policy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TlsModeTest {

    @Test
    void parseShouldReadBothModesInAnyCase() {
        assertThat(TlsMode.parse("opportunistic")).contains(TlsMode.OPPORTUNISTIC);
        assertThat(TlsMode.parse(" REQUIRED ")).contains(TlsMode.REQUIRED);
    }

    @Test
    void parseShouldBeEmptyForAnythingElse() {
        assertThat(TlsMode.parse("may")).isEmpty();
        assertThat(TlsMode.parse("")).isEmpty();
    }
}
