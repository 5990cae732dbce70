package org.postino.extensions.smtp.priority;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import java.util.Properties;

import org.apache.james.core.MaybeSender;
import org.apache.james.core.builder.MimeMessageBuilder;
import org.apache.mailet.Mail;
import org.apache.mailet.base.test.FakeMail;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PriorityPolicyTest {

    private static final long MB = 1024 * 1024;
    private static final Client STRANGER = Client.stranger();
    private static final Client LOGGED_IN = Client.loggedIn();
    /** Not logged in, but in the listener's authorizedAddresses. */
    private static final Client AUTHORIZED_NETWORK = new Client(false, true);

    private final PriorityPolicy testee = PriorityPolicy.defaults();

    @Nested
    class SingleRules {

        @Test
        void plainMailFromAStrangerShouldBeNormal() throws Exception {
            assertThat(decide(STRANGER, Optional.empty(), mail())).isEqualTo(decision(5, Reason.DEFAULT));
        }

        @Test
        void authenticatedSubmissionShouldBeHigh() throws Exception {
            assertThat(decide(LOGGED_IN, Optional.empty(), mail())).isEqualTo(decision(9, Reason.AUTHENTICATED));
        }

        @Test
        void anAuthorizedNetworkShouldNotCountAsAuthenticated() throws Exception {
            assertThat(decide(AUTHORIZED_NETWORK, Optional.empty(), mail())).isEqualTo(decision(5, Reason.DEFAULT));
        }

        @Test
        void deliveryNoticesShouldBeLow() throws Exception {
            Mail notice = builder().sender(MaybeSender.nullSender()).build();

            assertThat(decide(STRANGER, Optional.empty(), notice)).isEqualTo(decision(0, Reason.NOTICE));
        }

        @ParameterizedTest
        @ValueSource(strings = {"Precedence: bulk", "Precedence: list", "Precedence: junk", "List-Id: <news.example.com>",
            "List-Unsubscribe: <mailto:leave@example.com>", "Auto-Submitted: auto-replied"})
        void bulkMailShouldBeLow(String header) throws Exception {
            assertThat(decide(STRANGER, Optional.empty(), mail(header))).isEqualTo(decision(0, Reason.BULK));
        }

        @Test
        void mailAboveTheSizeThresholdShouldBeLow() throws Exception {
            Mail large = builder().size(10 * MB + 1).build();

            assertThat(decide(STRANGER, Optional.empty(), large)).isEqualTo(decision(0, Reason.LARGE));
        }

        @Test
        void mailOfExactlyTheThresholdShouldNotBeLarge() throws Exception {
            Mail atThreshold = builder().size(10 * MB).build();

            assertThat(decide(STRANGER, Optional.empty(), atThreshold)).isEqualTo(decision(5, Reason.DEFAULT));
        }

        @ParameterizedTest
        @ValueSource(strings = {"X-Priority: 4", "X-Priority: 5 (Lowest)", "Importance: low", "Priority: non-urgent"})
        void headersAskingForLowShouldBeHonouredFromAnyone(String header) throws Exception {
            assertThat(decide(STRANGER, Optional.empty(), mail(header))).isEqualTo(decision(0, Reason.HEADERS_LOW));
            assertThat(decide(LOGGED_IN, Optional.empty(), mail(header))).isEqualTo(decision(0, Reason.HEADERS_LOW));
        }

        @ParameterizedTest
        @ValueSource(strings = {"X-Priority: 1", "X-Priority: 2 (High)", "Importance: high", "Priority: urgent"})
        void headersAskingForHighShouldNotRaiseAStrangersMail(String header) throws Exception {
            assertThat(decide(STRANGER, Optional.empty(), mail(header))).isEqualTo(decision(5, Reason.DEFAULT));
        }

        @ParameterizedTest
        @ValueSource(strings = {"X-Priority: 1", "X-Priority: 2 (High)", "Importance: high", "Priority: urgent"})
        void headersAskingForHighShouldRaiseALoggedInClientsMail(String header) throws Exception {
            assertThat(decide(LOGGED_IN, Optional.empty(), mail(header))).isEqualTo(decision(9, Reason.HEADERS_HIGH));
        }

        @Test
        void trustedMtPriorityShouldBeMapped() throws Exception {
            assertThat(decide(LOGGED_IN, mt(3), mail())).isEqualTo(decision(7, Reason.MT_PRIORITY));
            assertThat(decide(LOGGED_IN, mt(-9), mail())).isEqualTo(decision(0, Reason.MT_PRIORITY));
        }

        @Test
        void trustedMtPriorityZeroShouldBeTheSameAsNoParameter() throws Exception {
            assertThat(decide(LOGGED_IN, mt(0), mail())).isEqualTo(decision(9, Reason.AUTHENTICATED));
        }
    }

    @Nested
    class Precedence {

        @Test
        void trustedMtPriorityShouldBeatEveryOtherSignal() throws Exception {
            Mail bulkLargeNotice = builder("Precedence: bulk", "X-Priority: 5")
                .sender(MaybeSender.nullSender()).size(50 * MB).build();

            assertThat(decide(LOGGED_IN, mt(9), bulkLargeNotice)).isEqualTo(decision(9, Reason.MT_PRIORITY));
        }

        @Test
        void noticeShouldBeatBulk() throws Exception {
            Mail bulkNotice = builder("Precedence: bulk").sender(MaybeSender.nullSender()).build();

            assertThat(decide(STRANGER, Optional.empty(), bulkNotice).reason()).isEqualTo(Reason.NOTICE);
        }

        @Test
        void bulkShouldBeatHighHeadersAndAuthentication() throws Exception {
            assertThat(decide(LOGGED_IN, Optional.empty(), mail("List-Id: <x.example.com>", "X-Priority: 1")))
                .isEqualTo(decision(0, Reason.BULK));
        }

        @Test
        void sizeShouldBeatHighHeadersAndAuthentication() throws Exception {
            Mail large = builder("Importance: high").size(11 * MB).build();

            assertThat(decide(LOGGED_IN, Optional.empty(), large)).isEqualTo(decision(0, Reason.LARGE));
        }

        @Test
        void lowHeadersShouldBeatAuthentication() throws Exception {
            assertThat(decide(LOGGED_IN, Optional.empty(), mail("Importance: low")))
                .isEqualTo(decision(0, Reason.HEADERS_LOW));
        }

        @Test
        void highHeadersShouldBeatAuthentication() throws Exception {
            PriorityPolicy policy = policy("level.authenticated", "7");

            assertThat(policy.decide(LOGGED_IN, Optional.empty(), mail("X-Priority: 1")))
                .isEqualTo(decision(9, Reason.HEADERS_HIGH));
            assertThat(policy.decide(LOGGED_IN, Optional.empty(), mail()))
                .isEqualTo(decision(7, Reason.AUTHENTICATED));
        }

        @Test
        void untrustedNegativeMtPriorityShouldLowerTheResult() throws Exception {
            assertThat(decide(STRANGER, mt(-5), mail())).isEqualTo(decision(2, Reason.MT_PRIORITY_LOWERED));
        }

        @Test
        void untrustedNegativeMtPriorityShouldNeverRaiseTheResult() throws Exception {
            assertThat(decide(STRANGER, mt(-1), mail("Precedence: bulk"))).isEqualTo(decision(0, Reason.BULK));
        }

        @Test
        void untrustedPositiveMtPriorityShouldBeIgnored() throws Exception {
            assertThat(decide(STRANGER, mt(9), mail())).isEqualTo(decision(5, Reason.DEFAULT));
            assertThat(decide(STRANGER, mt(9), mail("Precedence: list"))).isEqualTo(decision(0, Reason.BULK));
        }
    }

    @Nested
    class TrustPolicies {

        @Test
        void mtPriorityTrustNoneShouldIgnoreEvenALoggedInClientsRaise() throws Exception {
            PriorityPolicy policy = policy("mtPriority.trust", "none");

            assertThat(policy.decide(LOGGED_IN, mt(9), mail("Importance: low")))
                .isEqualTo(decision(0, Reason.HEADERS_LOW));
            assertThat(policy.decide(LOGGED_IN, mt(-9), mail())).isEqualTo(decision(0, Reason.MT_PRIORITY_LOWERED));
        }

        @Test
        void mtPriorityTrustRelayShouldTrustAuthorizedNetworks() throws Exception {
            PriorityPolicy policy = policy("mtPriority.trust", "relay");

            assertThat(policy.decide(AUTHORIZED_NETWORK, mt(5), mail())).isEqualTo(decision(8, Reason.MT_PRIORITY));
            assertThat(policy.decide(LOGGED_IN, mt(5), mail())).isEqualTo(decision(8, Reason.MT_PRIORITY));
            assertThat(policy.decide(STRANGER, mt(5), mail())).isEqualTo(decision(5, Reason.DEFAULT));
        }

        @Test
        void mtPriorityTrustAllShouldTrustStrangers() throws Exception {
            PriorityPolicy policy = policy("mtPriority.trust", "all");

            assertThat(policy.decide(STRANGER, mt(1), mail())).isEqualTo(decision(6, Reason.MT_PRIORITY));
        }

        @Test
        void defaultTrustShouldIgnoreAnAuthorizedNetworksRaise() throws Exception {
            assertThat(decide(AUTHORIZED_NETWORK, mt(9), mail("X-Priority: 1"))).isEqualTo(decision(5, Reason.DEFAULT));
        }

        @Test
        void headersTrustAllShouldLetStrangersRaise() throws Exception {
            PriorityPolicy policy = policy("headers.trust", "all");

            assertThat(policy.decide(STRANGER, Optional.empty(), mail("X-Priority: 1")))
                .isEqualTo(decision(9, Reason.HEADERS_HIGH));
        }

        @Test
        void headersTrustNoneShouldStillHonourLowHeaders() throws Exception {
            PriorityPolicy policy = policy("headers.trust", "none");

            assertThat(policy.decide(LOGGED_IN, Optional.empty(), mail("X-Priority: 1")))
                .isEqualTo(decision(9, Reason.AUTHENTICATED));
            assertThat(policy.decide(LOGGED_IN, Optional.empty(), mail("X-Priority: 5")))
                .isEqualTo(decision(0, Reason.HEADERS_LOW));
        }
    }

    @Nested
    class ConfiguredLevels {

        @Test
        void everyRuleShouldUseItsConfiguredLevel() throws Exception {
            Properties properties = new Properties();
            properties.setProperty("level.default", "4");
            properties.setProperty("level.authenticated", "8");
            properties.setProperty("level.headersHigh", "7");
            properties.setProperty("level.headersLow", "3");
            properties.setProperty("level.bulk", "1");
            properties.setProperty("level.large", "2");
            properties.setProperty("level.notice", "normal");
            properties.setProperty("headers.trust", "all");
            properties.setProperty("large.threshold", "1K");
            PriorityPolicy policy = PriorityPolicy.fromProperties(properties, "test");

            assertThat(policy.decide(STRANGER, Optional.empty(), mail()).priority().value()).isEqualTo(4);
            assertThat(policy.decide(LOGGED_IN, Optional.empty(), mail()).priority().value()).isEqualTo(8);
            assertThat(policy.decide(STRANGER, Optional.empty(), mail("Importance: high")).priority().value()).isEqualTo(7);
            assertThat(policy.decide(STRANGER, Optional.empty(), mail("Importance: low")).priority().value()).isEqualTo(3);
            assertThat(policy.decide(STRANGER, Optional.empty(), mail("Precedence: bulk")).priority().value()).isEqualTo(1);
            assertThat(policy.decide(STRANGER, Optional.empty(), builder().size(1025).build()).priority().value()).isEqualTo(2);
            assertThat(policy.decide(STRANGER, Optional.empty(), builder().sender(MaybeSender.nullSender()).build())
                .priority().value()).isEqualTo(5);
        }

        @Test
        void unlimitedThresholdShouldNeverMakeMailLarge() throws Exception {
            PriorityPolicy policy = policy("large.threshold", "unlimited");

            assertThat(policy.decide(STRANGER, Optional.empty(), builder().size(Long.MAX_VALUE).build()).reason())
                .isEqualTo(Reason.DEFAULT);
        }

        @Test
        void bulkSignalsShouldRestrictWhatCountsAsBulk() throws Exception {
            PriorityPolicy policy = policy("bulk.signals", "precedence");

            assertThat(policy.decide(STRANGER, Optional.empty(), mail("List-Id: <x.example.com>")).reason())
                .isEqualTo(Reason.DEFAULT);
            assertThat(policy.decide(STRANGER, Optional.empty(), mail("Precedence: bulk")).reason())
                .isEqualTo(Reason.BULK);
        }
    }

    private Decision decide(Client client, Optional<MtPriority> mtPriority, Mail mail) throws Exception {
        return testee.decide(client, mtPriority, mail);
    }

    private static PriorityPolicy policy(String key, String value) throws Exception {
        Properties properties = new Properties();
        properties.setProperty(key, value);
        return PriorityPolicy.fromProperties(properties, "test");
    }

    private static Optional<MtPriority> mt(int value) {
        return Optional.of(MtPriority.of(value));
    }

    private static Decision decision(int priority, Reason reason) {
        return new Decision(org.postino.mailets.priority.MailPriority.of(priority), reason);
    }

    private static Mail mail(String... headers) throws Exception {
        return builder(headers).build();
    }

    private static FakeMail.Builder builder(String... headers) throws Exception {
        MimeMessageBuilder message = MimeMessageBuilder.mimeMessageBuilder().setSubject("hello").setText("body");
        for (String header : headers) {
            int colon = header.indexOf(':');
            message.addHeader(header.substring(0, colon), header.substring(colon + 1).trim());
        }
        return FakeMail.builder()
            .name("mail")
            .sender("alice@example.com")
            .recipient("bob@example.org")
            .size(1000)
            .mimeMessage(message);
    }
}
