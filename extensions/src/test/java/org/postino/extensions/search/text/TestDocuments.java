package org.postino.extensions.search.text;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.encryption.AccessPermission;
import org.apache.pdfbox.pdmodel.encryption.StandardProtectionPolicy;
import org.apache.pdfbox.pdmodel.font.PDType1Font;

/** Documents made in memory for the tests: PDFs by PDFBox, office files by ZipOutputStream. */
public final class TestDocuments {
    static final String W = "xmlns:w=\"" + OfficeText.WORDPROCESSING + "\"";
    static final String MC = "xmlns:mc=\"" + OfficeText.MARKUP_COMPATIBILITY + "\"";
    static final String A = "xmlns:a=\"" + OfficeText.DRAWING + "\"";
    static final String P = "xmlns:p=\"http://schemas.openxmlformats.org/presentationml/2006/main\"";
    static final String S = "xmlns=\"" + OfficeText.SPREADSHEET + "\"";
    static final String ODF = "xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\""
        + " xmlns:text=\"" + OfficeText.ODF_TEXT + "\""
        + " xmlns:table=\"urn:oasis:names:tc:opendocument:xmlns:table:1.0\""
        + " xmlns:draw=\"urn:oasis:names:tc:opendocument:xmlns:drawing:1.0\""
        + " xmlns:number=\"urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0\""
        + " xmlns:style=\"urn:oasis:names:tc:opendocument:xmlns:style:1.0\""
        + " xmlns:dc=\"" + OfficeText.DUBLIN_CORE + "\"";
    static final String DECLARATION = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n";

    private TestDocuments() {
    }

    /** A zip of UTF-8 text entries, in the order given. */
    static byte[] zip(Map<String, String> entries) {
        Map<String, byte[]> bytes = new LinkedHashMap<>();
        entries.forEach((name, text) -> bytes.put(name, text.getBytes(StandardCharsets.UTF_8)));
        return zipBytes(bytes);
    }

    static byte[] zipBytes(Map<String, byte[]> entries) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (ZipOutputStream zip = new ZipOutputStream(out)) {
                for (Map.Entry<String, byte[]> entry : entries.entrySet()) {
                    zip.putNextEntry(new ZipEntry(entry.getKey()));
                    zip.write(entry.getValue());
                    zip.closeEntry();
                }
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Map<String, String> ordered(String... namesAndContents) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < namesAndContents.length; i += 2) {
            map.put(namesAndContents[i], namesAndContents[i + 1]);
        }
        return map;
    }

    static String contentTypes(String overrides) {
        return DECLARATION + "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
            + "<Default Extension=\"xml\" ContentType=\"application/xml\"/>" + overrides + "</Types>";
    }

    /** A word/document.xml whose paragraphs are the arguments, each in two runs to split words as Word does. */
    static String wordDocument(String... paragraphs) {
        StringBuilder body = new StringBuilder();
        for (String paragraph : paragraphs) {
            int half = paragraph.length() / 2;
            body.append("<w:p><w:r><w:t xml:space=\"preserve\">").append(paragraph, 0, half)
                .append("</w:t></w:r><w:r><w:t>").append(paragraph.substring(half)).append("</w:t></w:r></w:p>");
        }
        return DECLARATION + "<w:document " + W + "><w:body>" + body + "</w:body></w:document>";
    }

    static byte[] docx(String documentXml) {
        return zip(ordered(
            "[Content_Types].xml", contentTypes("<Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>"),
            "_rels/.rels", DECLARATION + "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"/>",
            "word/document.xml", documentXml));
    }

    static String slide(String... paragraphs) {
        StringBuilder shapes = new StringBuilder();
        for (String paragraph : paragraphs) {
            shapes.append("<p:sp><p:txBody><a:bodyPr/><a:p><a:r><a:t>").append(paragraph)
                .append("</a:t></a:r></a:p></p:txBody></p:sp>");
        }
        return DECLARATION + "<p:sld " + A + " " + P + "><p:cSld><p:spTree>" + shapes
            + "</p:spTree></p:cSld></p:sld>";
    }

    static String odfContent(String body) {
        return DECLARATION + "<office:document-content " + ODF + " office:version=\"1.2\">"
            + "<office:automatic-styles><number:number-style style:name=\"N1\"><number:text>STYLE-TEXT</number:text>"
            + "</number:number-style></office:automatic-styles>"
            + "<office:body>" + body + "</office:body></office:document-content>";
    }

    static byte[] odf(String mimeType, String contentXml) {
        return zip(ordered(
            "mimetype", mimeType,
            "META-INF/manifest.xml", DECLARATION + "<manifest:manifest xmlns:manifest=\"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0\"/>",
            "content.xml", contentXml));
    }

    /** A PDF with one page per argument, each showing its text in Helvetica (WinAnsi: Italian accents fit). */
    public static byte[] pdf(String... pages) {
        return pdf(null, pages);
    }

    static byte[] pdf(StandardProtectionPolicy protection, String... pages) {
        try (PDDocument document = new PDDocument()) {
            for (String text : pages) {
                PDPage page = new PDPage();
                document.addPage(page);
                try (PDPageContentStream content = new PDPageContentStream(document, page)) {
                    content.beginText();
                    content.setFont(PDType1Font.HELVETICA, 12);
                    content.newLineAtOffset(72, 700);
                    content.showText(text);
                    content.endText();
                }
            }
            if (protection != null) {
                document.protect(protection);
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            document.save(out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static StandardProtectionPolicy protection(String ownerPassword, String userPassword) {
        StandardProtectionPolicy policy = new StandardProtectionPolicy(ownerPassword, userPassword, new AccessPermission());
        policy.setEncryptionKeyLength(128);
        return policy;
    }
}
