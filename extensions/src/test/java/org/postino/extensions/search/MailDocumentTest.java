package org.postino.extensions.search;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;

import javax.mail.Flags;

import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.ModSeq;
import org.apache.james.mailbox.inmemory.InMemoryId;
import org.apache.james.mailbox.model.ByteContent;
import org.apache.james.mailbox.model.TestMessageId;
import org.apache.james.mailbox.model.ThreadId;
import org.apache.james.mailbox.store.mail.model.impl.PropertyBuilder;
import org.apache.james.mailbox.store.mail.model.impl.SimpleMailboxMessage;
import org.junit.jupiter.api.Test;
import org.postino.extensions.search.text.PostinoTextExtractor;
import org.postino.extensions.search.text.TestDocuments;

class MailDocumentTest {

    @Test
    @SuppressWarnings("unchecked")
    void indexesDecodedHeadersAddressesBodyAndPdfAttachment() throws Exception {
        String body = "le invio il messaggio, perché la consegna è a marzo.\r\n";
        String mime = "From: =?UTF-8?Q?M=C3=A0rio_Rossi?= <Mario.Rossi@Fornitore.test>\r\n"
            + "To: alice@example.com, \"Bob\" <bob@example.com>\r\n"
            + "Subject: =?UTF-8?Q?Preventivo_per_la_consegna?=\r\n"
            + "Message-ID: <abc@fornitore.test>\r\n"
            + "Date: Sat, 28 Nov 2026 10:00:00 +0100\r\n"
            + "MIME-Version: 1.0\r\n"
            + "Content-Type: multipart/mixed; boundary=\"b1\"\r\n"
            + "\r\n--b1\r\n"
            + "Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            + Base64.getMimeEncoder().encodeToString(body.getBytes(StandardCharsets.UTF_8)) + "\r\n"
            + "--b1\r\n"
            + "Content-Type: application/pdf; name=\"preventivo-marzo.pdf\"\r\n"
            + "Content-Disposition: attachment; filename=\"preventivo-marzo.pdf\"\r\n"
            + "Content-Transfer-Encoding: base64\r\n\r\n"
            + Base64.getMimeEncoder().encodeToString(TestDocuments.pdf("Fornitura di arance siciliane")) + "\r\n"
            + "--b1--\r\n";
        byte[] bytes = mime.getBytes(StandardCharsets.UTF_8);
        SimpleMailboxMessage message = SimpleMailboxMessage.builder()
            .messageId(TestMessageId.of(5))
            .threadId(ThreadId.fromBaseMessageId(TestMessageId.of(5)))
            .mailboxId(InMemoryId.of(3))
            .uid(MessageUid.of(9))
            .modseq(ModSeq.of(2))
            .internalDate(new Date(1_700_000_000_000L))
            .size(bytes.length)
            .bodyStartOctet(mime.indexOf("\r\n\r\n") + 4)
            .content(new ByteContent(bytes))
            .flags(new Flags(Flags.Flag.SEEN))
            .properties(new PropertyBuilder())
            .build();

        Map<String, Object> doc = new MailDocument(new PostinoTextExtractor()).build(message);

        assertThat(doc).containsEntry("mailboxId", "3").containsEntry("uid", 9L).containsEntry("seen", true)
            .containsEntry("subject", "Preventivo per la consegna")
            .containsEntry("mimeMessageId", "<abc@fornitore.test>")
            .containsEntry("fromSort", "mario.rossi@fornitore.test")
            .containsEntry("sentDate", 1_795_856_400_000L);
        assertThat((List<Object>) doc.get("fromAll")).containsExactly("màrio rossi <mario.rossi@fornitore.test>");
        assertThat((List<Object>) doc.get("toAll")).containsExactly("<alice@example.com>", "bob <bob@example.com>");
        assertThat((String) doc.get("textBody")).contains("perché la consegna");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> attachments = (List<Map<String, Object>>) doc.get("attachments");
        assertThat(attachments).hasSize(1);
        assertThat(attachments.get(0)).containsEntry("fileName", "preventivo-marzo.pdf").containsEntry("mediaType", "application/pdf");
        assertThat((String) attachments.get(0).get("text")).contains("arance siciliane");
        assertThat((List<Object>) doc.get("headers")).contains("subject:preventivo per la consegna");
        assertThat((List<Object>) doc.get("subjectAll")).containsExactly("preventivo per la consegna");
    }
}
