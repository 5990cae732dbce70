package org.postino.server.web;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import org.apache.james.mime4j.codec.DecodeMonitor;
import org.apache.james.mime4j.dom.Body;
import org.apache.james.mime4j.dom.Entity;
import org.apache.james.mime4j.dom.Message;
import org.apache.james.mime4j.dom.Multipart;
import org.apache.james.mime4j.dom.TextBody;
import org.apache.james.mime4j.message.DefaultMessageBuilder;
import org.apache.james.mime4j.stream.Field;
import org.apache.james.mime4j.stream.MimeConfig;

/**
 * A stored message as one safe HTML document for the webmail's sandboxed frame: its HTML body sanitised
 * ({@link MessageHtmlSanitizer}), or else its plain text escaped into {@code <pre>}. Inline images ({@code cid:})
 * point to JMAP's download address of the part they name, {@code /download/<account>/<messageId>_<partId>}, with part
 * numbers counted as James's JMAP counts them (depth first from 1 for the whole message, multiparts included).
 */
public final class MessageRenderer {

    /** Bodies longer than this (in characters) are cut before sanitising. */
    static final int MAX_BODY_CHARS = 4 * 1024 * 1024;

    private static final String STYLE = "html{color-scheme:light}"
        + "body{margin:0;padding:12px;font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;font-size:14px;"
        + "line-height:1.45;color:#1d1d1f;background:#fff;overflow-wrap:anywhere}"
        + "img{max-width:100%;height:auto}pre{white-space:pre-wrap;font-family:ui-monospace,Menlo,Consolas,monospace;"
        + "margin:0}blockquote{margin:0 0 0 8px;padding-left:8px;border-left:2px solid #ccc}table{max-width:100%}"
        + ".postino-note{color:#666;font-style:italic}";

    public record Rendered(String document, MessageHtmlSanitizer.RemoteImages remoteImages) {
    }

    private record Part(Entity entity, int partId) {
    }

    private MessageRenderer() {
    }

    /**
     * @param messageId the message's JMAP id (its blob ids start with it)
     * @param accountId the user's JMAP account id
     */
    public static Rendered render(InputStream message, String messageId, String accountId, boolean remoteImages)
        throws IOException {
        DefaultMessageBuilder builder = new DefaultMessageBuilder();
        builder.setMimeEntityConfig(MimeConfig.PERMISSIVE);
        builder.setDecodeMonitor(DecodeMonitor.SILENT);
        Message parsed = builder.parseMessage(message);
        try {
            Map<String, Part> byContentId = new HashMap<>();
            Part[] html = new Part[1];
            Part[] text = new Part[1];
            number(parsed, 1, part -> {
                contentId(part.entity).ifPresent(id -> byContentId.putIfAbsent(id, part));
                if (isAttachment(part.entity)) {
                    return;
                }
                String type = part.entity.getMimeType().toLowerCase(Locale.ROOT);
                if (type.equals("text/html") && html[0] == null) {
                    html[0] = part;
                } else if (type.equals("text/plain") && text[0] == null) {
                    text[0] = part;
                }
            });
            String body;
            MessageHtmlSanitizer.RemoteImages state = MessageHtmlSanitizer.RemoteImages.NONE;
            if (html[0] != null) {
                Text content = read(html[0].entity);
                MessageHtmlSanitizer.Result result = MessageHtmlSanitizer.sanitize(content.text,
                    cid -> downloadAddress(byContentId, cid, messageId, accountId), remoteImages);
                body = result.html() + (content.cut ? cutNote() : "");
                state = result.remoteImages();
            } else if (text[0] != null) {
                Text content = read(text[0].entity);
                body = "<pre>" + escape(content.text) + "</pre>" + (content.cut ? cutNote() : "");
            } else {
                body = "<p class=\"postino-note\">This message has no text.</p>";
            }
            return new Rendered(document(body), state);
        } finally {
            parsed.dispose();
        }
    }

    private static String document(String body) {
        return "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><meta name=\"referrer\" content=\"no-referrer\">"
            + "<style>" + STYLE + "</style></head><body>" + body + "</body></html>\n";
    }

    private static String cutNote() {
        return "<p class=\"postino-note\">This message is too long to show in full.</p>";
    }

    /** Visits the leaves with their part ids; answers the highest id used under {@code entity}. */
    private static int number(Entity entity, int partId, java.util.function.Consumer<Part> leaves) {
        Body body = entity.getBody();
        if (body instanceof Multipart multipart) {
            int last = partId;
            for (Entity child : multipart.getBodyParts()) {
                last = number(child, last + 1, leaves);
            }
            return last;
        }
        leaves.accept(new Part(entity, partId));
        return partId;
    }

    private static boolean isAttachment(Entity entity) {
        return "attachment".equalsIgnoreCase(entity.getDispositionType());
    }

    private static Optional<String> contentId(Entity entity) {
        Field field = entity.getHeader().getField("Content-ID");
        if (field == null || field.getBody() == null) {
            return Optional.empty();
        }
        String id = field.getBody().trim();
        if (id.startsWith("<") && id.endsWith(">")) {
            id = id.substring(1, id.length() - 1).trim();
        }
        return id.isEmpty() ? Optional.empty() : Optional.of(id);
    }

    private static Optional<String> downloadAddress(Map<String, Part> byContentId, String reference, String messageId,
                                                    String accountId) {
        String id = reference.trim();
        Part part = byContentId.get(id);
        if (part == null) {
            try {
                part = byContentId.get(URLDecoder.decode(id, StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                return Optional.empty();
            }
        }
        if (part == null) {
            return Optional.empty();
        }
        String type = part.entity.getMimeType().toLowerCase(Locale.ROOT);
        if (!type.startsWith("image/")) {
            return Optional.empty();
        }
        return Optional.of("/download/" + accountId + "/" + messageId + "_" + part.partId
            + "?type=" + URLEncoder.encode(type, StandardCharsets.UTF_8));
    }

    private record Text(String text, boolean cut) {
    }

    private static Text read(Entity entity) throws IOException {
        if (!(entity.getBody() instanceof TextBody body)) {
            return new Text("", false);
        }
        StringBuilder text = new StringBuilder();
        char[] buffer = new char[8192];
        try (Reader reader = body.getReader()) {
            int read;
            while ((read = reader.read(buffer)) != -1) {
                int room = MAX_BODY_CHARS - text.length();
                if (read > room) {
                    text.append(buffer, 0, room);
                    return new Text(text.toString(), true);
                }
                text.append(buffer, 0, read);
            }
        }
        return new Text(text.toString(), false);
    }

    static String escape(String text) {
        StringBuilder escaped = new StringBuilder(text.length() + 64);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> escaped.append("&amp;");
                case '<' -> escaped.append("&lt;");
                case '>' -> escaped.append("&gt;");
                case '"' -> escaped.append("&#34;");
                case '\'' -> escaped.append("&#39;");
                default -> escaped.append(c);
            }
        }
        return escaped.toString();
    }
}
