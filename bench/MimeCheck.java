import java.io.ByteArrayInputStream;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

import javax.mail.Session;
import javax.mail.internet.MimeMessage;

/**
 * bench/search.sh: which corpus messages the server's javax.mail cannot re-save. Postino's first mailet
 * (AddQueueIdHeader) sets a header and calls saveChanges(), which parses every Content-Type and every
 * multipart; a ParseException there sends the mail to the error repository instead of the mailbox.
 * The same two calls here, with the distribution's own jars on the class path:
 *
 *   java -cp 'DIST/lib/*' bench/MimeCheck.java < list-of-files
 *
 * prints one line per failing file: "FAIL<TAB>path<TAB>exception", and "CHECKED<TAB>n" at the end.
 * A leading mbox "From " line is skipped, as the bench does before sending.
 */
public class MimeCheck {
    public static void main(String[] args) throws Exception {
        Session session = Session.getInstance(new Properties());
        BufferedReader files = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        int checked = 0;
        for (String line = files.readLine(); line != null; line = files.readLine()) {
            if (line.isBlank()) {
                continue;
            }
            byte[] raw = Files.readAllBytes(Path.of(line));
            int start = 0;
            if (raw.length > 5 && new String(raw, 0, 5, StandardCharsets.ISO_8859_1).equals("From ")) {
                while (start < raw.length && raw[start] != '\n') {
                    start++;
                }
                start++;
            }
            checked++;
            try {
                MimeMessage message = new MimeMessage(session, new ByteArrayInputStream(raw, start, raw.length - start));
                message.setHeader("X-Bench-Check", "1");
                message.saveChanges();
            } catch (Exception e) {
                System.out.println("FAIL\t" + line + "\t" + e.getClass().getSimpleName() + ": "
                    + String.valueOf(e.getMessage()).replace('\n', ' ').replace('\t', ' '));
            }
        }
        System.out.println("CHECKED\t" + checked);
    }
}
