package org.postino.extensions.search;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import javax.mail.Flags;

import org.apache.james.mailbox.extractor.ParsedContent;
import org.apache.james.mailbox.extractor.TextExtractor;
import org.apache.james.mailbox.model.ContentType;
import org.apache.james.mailbox.model.MessageAttachmentMetadata;
import org.apache.james.mailbox.store.mail.model.MailboxMessage;
import org.apache.james.mailbox.store.search.SearchUtil;
import org.apache.james.mime4j.codec.DecodeMonitor;
import org.apache.james.mime4j.codec.DecoderUtil;
import org.apache.james.mime4j.dom.Body;
import org.apache.james.mime4j.dom.Entity;
import org.apache.james.mime4j.dom.Message;
import org.apache.james.mime4j.dom.Multipart;
import org.apache.james.mime4j.dom.SingleBody;
import org.apache.james.mime4j.dom.address.Address;
import org.apache.james.mime4j.dom.address.AddressList;
import org.apache.james.mime4j.dom.address.Group;
import org.apache.james.mime4j.dom.address.Mailbox;
import org.apache.james.mime4j.dom.field.ContentDispositionField;
import org.apache.james.mime4j.dom.field.ContentTypeField;
import org.apache.james.mime4j.dom.field.DateTimeField;
import org.apache.james.mime4j.field.LenientFieldParser;
import org.apache.james.mime4j.field.address.LenientAddressParser;
import org.apache.james.mime4j.message.DefaultMessageBuilder;
import org.apache.james.mime4j.stream.Field;
import org.apache.james.mime4j.stream.MimeConfig;
import org.apache.james.mime4j.util.MimeUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a stored message into the JSON document of the mail index (see mail-index.json).
 *
 * <p>The parser is lenient: a message that is not valid MIME is still indexed with what can be
 * read from it. Text is capped so that one huge message cannot take the index down.
 */
public final class MailDocument {
    private static final Logger LOGGER = LoggerFactory.getLogger(MailDocument.class);

    static final int MAX_TEXT_CHARS = 1_000_000;
    static final int MAX_HEADER_CHARS = 4096;
    static final int MAX_PARTS = 200;

    private final TextExtractor textExtractor;

    public MailDocument(TextExtractor textExtractor) {
        this.textExtractor = textExtractor;
    }

    public static String documentId(MailboxMessage message) {
        return documentId(message.getMailboxId().serialize(), message.getUid().asLong());
    }

    public static String documentId(String mailboxId, long uid) {
        return mailboxId + ":" + uid;
    }

    public Map<String, Object> build(MailboxMessage message) throws IOException {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("mailboxId", message.getMailboxId().serialize());
        doc.put("uid", message.getUid().asLong());
        Optional.ofNullable(SearchUtil.getSerializedMessageIdIfSupportedByUnderlyingStorageOrNull(message))
            .ifPresent(id -> doc.put("messageId", id));
        Optional.ofNullable(SearchUtil.getSerializedThreadIdIfSupportedByUnderlyingStorageOrNull(message))
            .ifPresent(id -> doc.put("threadId", id));
        doc.put("modSeq", message.getModSeq().asLong());
        doc.put("size", message.getFullContentOctets());
        doc.put("internalDate", message.getInternalDate().getTime());
        doc.put("saveDate", message.getSaveDate().orElse(message.getInternalDate()).getTime());
        doc.putAll(flags(message.createFlags()));
        doc.put("hasAttachment", MessageAttachmentMetadata.hasNonInlinedAttachment(message.getAttachments()));

        Message mime = parse(message);
        Parts parts = new Parts();
        List<String> headers = new ArrayList<>();
        Date sentDate = null;
        String subject = null;
        Map<String, List<Mailbox>> addresses = new LinkedHashMap<>();
        List<String> subjects = new ArrayList<>();
        for (Field field : mime.getHeader().getFields()) {
            String name = field.getName().toLowerCase(Locale.ROOT);
            String raw = Optional.ofNullable(field.getBody()).orElse("");
            String value = decode(raw);
            headers.add(cap(name + ":" + value.toLowerCase(Locale.ROOT), MAX_HEADER_CHARS));
            switch (name) {
                case "date":
                    if (sentDate == null) {
                        sentDate = parseDate(field);
                    }
                    break;
                case "subject":
                    if (subject == null) {
                        subject = value;
                    }
                    subjects.add(cap(value.toLowerCase(Locale.ROOT), MAX_HEADER_CHARS));
                    break;
                case "message-id":
                    doc.putIfAbsent("mimeMessageId", raw.trim());
                    break;
                case "from":
                case "to":
                case "cc":
                case "bcc":
                    addresses.computeIfAbsent(name, k -> new ArrayList<>()).addAll(mailboxes(raw));
                    break;
                default:
                    break;
            }
        }
        doc.put("headers", headers);
        // the Subject lines again on their own: a substring search of them need not look at every header
        doc.put("subjectAll", subjects);
        doc.put("sentDate", Optional.ofNullable(sentDate).orElse(message.getInternalDate()).getTime());
        if (subject != null) {
            doc.put("subject", cap(subject, MAX_HEADER_CHARS));
            doc.put("subjectSort", cap(SearchUtil.getBaseSubject(subject).toLowerCase(Locale.ROOT), 512));
        }
        for (String type : List.of("from", "to", "cc", "bcc")) {
            List<Mailbox> list = addresses.getOrDefault(type, List.of());
            List<Map<String, Object>> entries = new ArrayList<>();
            List<String> all = new ArrayList<>();
            for (Mailbox mailbox : list) {
                Map<String, Object> entry = new LinkedHashMap<>();
                Optional.ofNullable(mailbox.getName()).filter(n -> !n.isBlank()).ifPresent(n -> entry.put("name", n));
                entry.put("address", mailbox.getAddress());
                entries.add(entry);
                all.add(cap(((mailbox.getName() == null ? "" : mailbox.getName() + " ") + "<" + mailbox.getAddress() + ">")
                    .toLowerCase(Locale.ROOT), MAX_HEADER_CHARS));
            }
            doc.put(type, entries);
            doc.put(type + "All", all);
            if (!list.isEmpty() && !type.equals("bcc")) {
                doc.put(type + "Sort", cap(list.get(0).getAddress().toLowerCase(Locale.ROOT), 512));
            }
        }

        walk(mime, parts, 0);
        if (parts.text.length() > 0) {
            doc.put("textBody", parts.text.toString());
        }
        if (parts.html.length() > 0) {
            doc.put("htmlBody", parts.html.toString());
        }
        doc.put("attachments", parts.attachments);
        return doc;
    }

    static Map<String, Object> flags(Flags flags) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("answered", flags.contains(Flags.Flag.ANSWERED));
        doc.put("deleted", flags.contains(Flags.Flag.DELETED));
        doc.put("draft", flags.contains(Flags.Flag.DRAFT));
        doc.put("flagged", flags.contains(Flags.Flag.FLAGGED));
        doc.put("recent", flags.contains(Flags.Flag.RECENT));
        doc.put("seen", flags.contains(Flags.Flag.SEEN));
        doc.put("userFlags", List.of(flags.getUserFlags()));
        return doc;
    }

    private static Message parse(MailboxMessage message) throws IOException {
        DefaultMessageBuilder builder = new DefaultMessageBuilder();
        builder.setMimeEntityConfig(MimeConfig.PERMISSIVE);
        builder.setDecodeMonitor(DecodeMonitor.SILENT);
        builder.setFieldParser(LenientFieldParser.getParser());
        try (InputStream in = message.getFullContent()) {
            return builder.parseMessage(in);
        }
    }

    private static String decode(String raw) {
        String unfolded = MimeUtil.unfold(raw).trim();
        try {
            return DecoderUtil.decodeEncodedWords(unfolded, DecodeMonitor.SILENT);
        } catch (RuntimeException e) {
            return unfolded;
        }
    }

    private static Date parseDate(Field field) {
        try {
            Field parsed = LenientFieldParser.getParser().parse(field, DecodeMonitor.SILENT);
            if (parsed instanceof DateTimeField) {
                return ((DateTimeField) parsed).getDate();
            }
        } catch (RuntimeException e) {
            LOGGER.debug("unreadable Date header {}", field.getBody());
        }
        return null;
    }

    private static List<Mailbox> mailboxes(String raw) {
        List<Mailbox> result = new ArrayList<>();
        try {
            AddressList list = LenientAddressParser.DEFAULT.parseAddressList(MimeUtil.unfold(raw));
            for (Address address : list) {
                if (address instanceof Mailbox) {
                    result.add(decoded((Mailbox) address));
                } else if (address instanceof Group) {
                    ((Group) address).getMailboxes().forEach(m -> result.add(decoded(m)));
                }
            }
        } catch (RuntimeException e) {
            LOGGER.debug("unreadable address header {}", raw);
        }
        return result;
    }

    private static Mailbox decoded(Mailbox mailbox) {
        if (mailbox.getName() == null) {
            return mailbox;
        }
        return new Mailbox(decode(mailbox.getName()), mailbox.getLocalPart(), mailbox.getDomain());
    }

    private static final class Parts {
        final StringBuilder text = new StringBuilder();
        final StringBuilder html = new StringBuilder();
        final List<Map<String, Object>> attachments = new ArrayList<>();
        int count;
    }

    private void walk(Entity entity, Parts parts, int depth) {
        if (++parts.count > MAX_PARTS || depth > 20) {
            return;
        }
        Body body = entity.getBody();
        if (body instanceof Multipart) {
            for (Entity part : ((Multipart) body).getBodyParts()) {
                walk(part, parts, depth + 1);
            }
            return;
        }
        if (body instanceof Message && !isAttachment(entity)) {
            walk((Message) body, parts, depth + 1);
            return;
        }
        String mimeType = Optional.ofNullable(entity.getMimeType()).orElse("text/plain").toLowerCase(Locale.ROOT);
        if (!isAttachment(entity) && mimeType.equals("text/plain")) {
            append(parts.text, text(entity));
        } else if (!isAttachment(entity) && mimeType.equals("text/html")) {
            append(parts.html, extract(entity, mimeType));
        } else {
            Map<String, Object> attachment = new LinkedHashMap<>();
            fileName(entity).ifPresent(name -> attachment.put("fileName", name));
            attachment.put("mediaType", mimeType);
            String content = extract(entity, mimeType);
            if (!content.isBlank()) {
                attachment.put("text", cap(content, MAX_TEXT_CHARS));
            }
            parts.attachments.add(attachment);
        }
    }

    private static boolean isAttachment(Entity entity) {
        String disposition = entity.getDispositionType();
        if (disposition != null && disposition.equalsIgnoreCase(ContentDispositionField.DISPOSITION_TYPE_ATTACHMENT)) {
            return true;
        }
        return fileName(entity).isPresent();
    }

    private static Optional<String> fileName(Entity entity) {
        String name = entity.getFilename();
        if (name == null && entity.getHeader().getField("Content-Type") instanceof ContentTypeField) {
            name = ((ContentTypeField) entity.getHeader().getField("Content-Type")).getParameter("name");
        }
        return Optional.ofNullable(name).map(MailDocument::decode).filter(n -> !n.isBlank());
    }

    private static String text(Entity entity) {
        if (!(entity.getBody() instanceof SingleBody)) {
            return "";
        }
        Charset charset = charset(entity);
        try (InputStream in = ((SingleBody) entity.getBody()).getInputStream()) {
            byte[] bytes = in.readNBytes(MAX_TEXT_CHARS * 2);
            return new String(bytes, charset);
        } catch (IOException e) {
            return "";
        }
    }

    private static Charset charset(Entity entity) {
        try {
            return Optional.ofNullable(entity.getCharset()).map(Charset::forName).orElse(StandardCharsets.US_ASCII);
        } catch (RuntimeException e) {
            return StandardCharsets.ISO_8859_1;
        }
    }

    private String extract(Entity entity, String mimeType) {
        if (!(entity.getBody() instanceof SingleBody)) {
            return "";
        }
        try {
            ContentType contentType = ContentType.of(Optional.ofNullable(entity.getCharset())
                .map(charset -> mimeType + "; charset=" + charset)
                .orElse(mimeType));
            if (!textExtractor.applicable(contentType)) {
                return "";
            }
            ParsedContent parsed = textExtractor.extractContent(((SingleBody) entity.getBody()).getInputStream(), contentType);
            return parsed.getTextualContent().orElse("");
        } catch (Exception e) {
            LOGGER.debug("no text from a {} part: {}", mimeType, e.toString());
            return "";
        }
    }

    private static void append(StringBuilder target, String text) {
        if (target.length() >= MAX_TEXT_CHARS || text.isEmpty()) {
            return;
        }
        if (target.length() > 0) {
            target.append('\n');
        }
        target.append(text, 0, Math.min(text.length(), MAX_TEXT_CHARS - target.length()));
    }

    private static String cap(String value, int max) {
        return value.length() <= max ? value : value.substring(0, max);
    }
}
