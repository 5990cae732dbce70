package org.postino.mailets.delivery.dsn;

import org.postino.mailets.delivery.smtp.SmtpAddresses;

import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The human-readable first part of a notice, and its subject, from a {@link NoticeTemplate}: a greeting, an
 * introduction for the notice's {@linkplain DeliveryReport#headline() headline}, one section per action listing
 * its recipients with status, reply and dates, and a line saying what is returned. Lines are wrapped at
 * {@value #WIDTH} columns and end with LF; the writer turns them into CRLF.
 */
final class HumanText {

    static final int WIDTH = 72;
    private static final String RECIPIENT = "  ";
    private static final String DETAIL = "    ";
    private static final String CONTINUATION = "      ";

    private HumanText() {
    }

    static String subject(DeliveryReport report, NoticeTemplate template, Optional<String> originalSubject) {
        String title = template.text("subject." + headlineKey(report.headline()));
        return originalSubject.map(HumanText::collapse)
            .filter(subject -> !subject.isEmpty())
            .map(subject -> title + ": " + subject)
            .orElse(title);
    }

    static String of(DeliveryReport report, NoticeTemplate template, ZoneId zone) {
        List<String> lines = new ArrayList<>();
        paragraph(lines, template.text("greeting", Map.of("reportingMta", report.reportingMta())));
        paragraph(lines, template.text("intro." + headlineKey(report.headline())));
        for (Action action : Action.values()) {
            List<RecipientReport> recipients = report.recipients().stream()
                .filter(recipient -> recipient.action() == action)
                .collect(Collectors.toList());
            if (!recipients.isEmpty()) {
                paragraph(lines, template.text("section." + action.fieldValue()));
                recipients.forEach(recipient -> recipient(lines, recipient, template, zone));
            }
        }
        wrap(lines, template.text(report.returnContent() == ReturnContent.FULL ? "returned.full" : "returned.headers"),
            "", "");
        return String.join("\n", lines) + "\n";
    }

    private static void recipient(List<String> lines, RecipientReport recipient, NoticeTemplate template,
                                  ZoneId zone) {
        String address = SmtpAddresses.mailbox(recipient.finalRecipient());
        lines.add(RECIPIENT + "<" + address + ">");
        recipient.originalRecipient()
            .map(typed -> typed.substring(typed.indexOf(';') + 1))
            .filter(original -> !original.equalsIgnoreCase(address))
            .ifPresent(original -> detail(lines, template.text("recipient.original", Map.of("original", original))));
        String status = recipient.status().asString();
        detail(lines, template.describe(recipient.status())
            .map(description -> template.text("recipient.status.described",
                Map.of("status", status, "description", description)))
            .orElseGet(() -> template.text("recipient.status", Map.of("status", status))));
        reply(recipient, template).ifPresent(reply -> detail(lines, reply));
        recipient.lastAttempt().ifPresent(time -> detail(lines,
            template.text("recipient.last-attempt", Map.of("date", template.date(time, zone)))));
        recipient.willRetryUntil().ifPresent(time -> detail(lines,
            template.text("recipient.retry-until", Map.of("date", template.date(time, zone)))));
        lines.add("");
    }

    private static Optional<String> reply(RecipientReport recipient, NoticeTemplate template) {
        Optional<String> diagnostic = recipient.diagnostic().map(HumanText::collapse);
        Optional<String> remote = recipient.remoteMta();
        if (diagnostic.isPresent() && remote.isPresent()) {
            return Optional.of(template.text("recipient.remote-said",
                Map.of("remoteMta", remote.get(), "diagnostic", diagnostic.get())));
        }
        return diagnostic.map(text -> template.text("recipient.reply", Map.of("diagnostic", text)))
            .or(() -> remote.map(host -> template.text("recipient.remote", Map.of("remoteMta", host))));
    }

    private static String headlineKey(Action headline) {
        return headline.isSuccess() ? "success" : headline.fieldValue();
    }

    private static void paragraph(List<String> lines, String text) {
        wrap(lines, text, "", "");
        lines.add("");
    }

    private static void detail(List<String> lines, String text) {
        wrap(lines, text, DETAIL, CONTINUATION);
    }

    /** Greedy word wrap of each line of {@code text}; a word longer than the width stands alone, unbroken. */
    static void wrap(List<String> lines, String text, String indent, String continuation) {
        for (String paragraph : text.split("\n", -1)) {
            StringBuilder line = new StringBuilder(indent);
            boolean empty = true;
            for (String word : paragraph.trim().split(" +")) {
                if (!empty && line.length() + 1 + word.length() > WIDTH) {
                    lines.add(line.toString());
                    line = new StringBuilder(continuation);
                    empty = true;
                }
                if (!empty) {
                    line.append(' ');
                }
                line.append(word);
                empty = false;
            }
            lines.add(line.toString());
        }
    }

    /** Runs of whitespace, line breaks included, as one space; other characters kept, UTF-8 is fine here. */
    static String collapse(String text) {
        return text.strip().replaceAll("\\s+", " ");
    }
}
