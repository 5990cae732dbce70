package org.postino.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * When the data disk is (nearly) full the server refuses new mail with a temporary error and keeps
 * serving. The test makes every disk "too small" by asking for more free space than any has.
 */
class StorageFullIT {

    private static Distribution postino;

    @BeforeAll
    static void startServer() throws Exception {
        postino = Distribution.install();
        postino.replaceInFile("smtpserver.xml", "<minFreeSpace>256M</minFreeSpace>", "<minFreeSpace>1000000T</minFreeSpace>");
        postino.start();
        postino.admin("domain", "add", "example.com");
        postino.admin("user", "add", "alice@example.com", "pw-alice");
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (postino != null) {
            postino.close();
        }
    }

    @Test
    void mailIsRefusedWith452AndTheServerKeepsServing() throws Exception {
        try (SmtpSession smtp = SmtpSession.connect(postino.port(25))) {
            smtp.ehlo().expect(250);
            SmtpSession.Reply reply = smtp.send("bob@remote.test", List.of("alice@example.com"),
                MailFlowIT.message("bob@remote.test", "no room", MailFlowIT.newMessageId()));
            assertThat(reply.code).as(reply.toString()).isEqualTo(452);
            assertThat(reply.toString()).contains("4.3.1");
            smtp.command("NOOP").expect(250);
        }
        try (SmtpSession again = SmtpSession.connect(postino.port(25))) {
            assertThat(again.greeting.code).isEqualTo(220);
        }
    }
}
