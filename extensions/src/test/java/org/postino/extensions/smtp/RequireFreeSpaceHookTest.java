package org.postino.extensions.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.Mockito.mock;

import org.apache.commons.configuration2.BaseHierarchicalConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.core.MaybeSender;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.HookReturnCode;
import org.junit.jupiter.api.Test;

class RequireFreeSpaceHookTest {

    private static final long MB = 1024 * 1024;

    @Test
    void doMailShouldAnswer452WhenFreeSpaceIsBelowTheMinimum() throws Exception {
        RequireFreeSpaceHook testee = new RequireFreeSpaceHook(() -> 100 * MB);
        testee.init(config("512M"));

        HookResult result = testee.doMail(mock(SMTPSession.class), MaybeSender.nullSender());

        assertThat(result.getResult()).isEqualTo(HookReturnCode.denySoft());
        assertThat(result.getSmtpRetCode()).isEqualTo("452");
        assertThat(result.getSmtpDescription()).startsWith("4.3.1 ");
    }

    @Test
    void doMailShouldAcceptWhenThereIsRoom() throws Exception {
        RequireFreeSpaceHook testee = new RequireFreeSpaceHook(() -> 10_000 * MB);
        testee.init(config("512M"));

        assertThat(testee.doMail(mock(SMTPSession.class), MaybeSender.nullSender())).isEqualTo(HookResult.DECLINED);
    }

    @Test
    void theDefaultMinimumShouldBe256Megabytes() {
        RequireFreeSpaceHook testee = new RequireFreeSpaceHook(() -> 255 * MB);

        assertThat(testee.doMail(mock(SMTPSession.class), MaybeSender.nullSender()).getSmtpRetCode()).isEqualTo("452");
    }

    @Test
    void parseSizeShouldReadUnits() throws Exception {
        assertThat(RequireFreeSpaceHook.parseSize("100K")).isEqualTo(100 * 1024);
        assertThat(RequireFreeSpaceHook.parseSize("2g")).isEqualTo(2L * 1024 * MB);
        assertThat(RequireFreeSpaceHook.parseSize("1048576")).isEqualTo(MB);
    }

    @Test
    void initShouldRejectANonSizeNamingTheKeyAndValue() {
        assertThatThrownBy(() -> new RequireFreeSpaceHook(() -> 0).init(config("lots")))
            .isInstanceOf(ConfigurationException.class)
            .hasMessageContaining("minFreeSpace = 'lots'");
    }

    private static BaseHierarchicalConfiguration config(String minFreeSpace) {
        BaseHierarchicalConfiguration config = new BaseHierarchicalConfiguration();
        config.addProperty("minFreeSpace", minFreeSpace);
        return config;
    }
}
