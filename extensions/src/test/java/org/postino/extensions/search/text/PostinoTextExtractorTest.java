package org.postino.extensions.search.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.postino.extensions.search.text.TestDocuments.A;
import static org.postino.extensions.search.text.TestDocuments.DECLARATION;
import static org.postino.extensions.search.text.TestDocuments.MC;
import static org.postino.extensions.search.text.TestDocuments.P;
import static org.postino.extensions.search.text.TestDocuments.S;
import static org.postino.extensions.search.text.TestDocuments.W;
import static org.postino.extensions.search.text.TestDocuments.contentTypes;
import static org.postino.extensions.search.text.TestDocuments.docx;
import static org.postino.extensions.search.text.TestDocuments.odf;
import static org.postino.extensions.search.text.TestDocuments.odfContent;
import static org.postino.extensions.search.text.TestDocuments.ordered;
import static org.postino.extensions.search.text.TestDocuments.pdf;
import static org.postino.extensions.search.text.TestDocuments.protection;
import static org.postino.extensions.search.text.TestDocuments.slide;
import static org.postino.extensions.search.text.TestDocuments.wordDocument;
import static org.postino.extensions.search.text.TestDocuments.zip;
import static org.postino.extensions.search.text.TestDocuments.zipBytes;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.apache.james.mailbox.extractor.ParsedContent;
import org.apache.james.mailbox.model.ContentType;
import org.apache.james.mime4j.dom.Entity;
import org.apache.james.mime4j.dom.Message;
import org.apache.james.mime4j.dom.Multipart;
import org.apache.james.mime4j.dom.SingleBody;
import org.apache.james.mime4j.message.BodyPartBuilder;
import org.apache.james.mime4j.message.DefaultMessageBuilder;
import org.apache.james.mime4j.message.DefaultMessageWriter;
import org.apache.james.mime4j.message.MultipartBuilder;
import org.apache.pdfbox.cos.COSName;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDResources;
import org.apache.pdfbox.pdmodel.common.PDStream;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class PostinoTextExtractorTest {
    static final String ITALIAN = "Il messaggio è arrivato perché";
    static final String DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
    static final String XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    static final String PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation";
    static final String ODT = "application/vnd.oasis.opendocument.text";
    static final String ODS = "application/vnd.oasis.opendocument.spreadsheet";
    static final String ODP = "application/vnd.oasis.opendocument.presentation";

    final PostinoTextExtractor extractor = new PostinoTextExtractor();

    static ParsedContent extract(PostinoTextExtractor extractor, byte[] bytes, String contentType) {
        return extractor.extractContent(new ByteArrayInputStream(bytes), contentType == null ? null : ContentType.of(contentType));
    }

    ParsedContent extract(byte[] bytes, String contentType) {
        return extract(extractor, bytes, contentType);
    }

    static String text(ParsedContent content) {
        return content.getTextualContent().orElse("");
    }

    static List<String> limitsReached(ParsedContent content) {
        return content.getMetadata().getOrDefault(PostinoTextExtractor.LIMITS_METADATA, List.of());
    }

    @Nested
    class PlainText {
        @Test
        void declaredUtf8() {
            assertThat(extract(ITALIAN.getBytes(StandardCharsets.UTF_8), "text/plain; charset=UTF-8").getTextualContent())
                .contains(ITALIAN);
        }

        @Test
        void noCharsetAndValidUtf8IsUtf8() {
            assertThat(text(extract(ITALIAN.getBytes(StandardCharsets.UTF_8), "text/plain"))).isEqualTo(ITALIAN);
        }

        @Test
        void noCharsetAndInvalidUtf8FallsBackToIso88591() {
            assertThat(text(extract(ITALIAN.getBytes(StandardCharsets.ISO_8859_1), "text/plain"))).isEqualTo(ITALIAN);
        }

        @Test
        void declaredUtf8ButLatin1BytesFallsBackToIso88591() {
            assertThat(text(extract(ITALIAN.getBytes(StandardCharsets.ISO_8859_1), "text/plain; charset=utf-8")))
                .isEqualTo(ITALIAN);
        }

        @Test
        void declaredUsAsciiButEightBitUtf8IsUtf8() {
            assertThat(text(extract(ITALIAN.getBytes(StandardCharsets.UTF_8), "text/plain; charset=us-ascii")))
                .isEqualTo(ITALIAN);
        }

        @Test
        void otherDeclaredCharsetIsHonoured() {
            String euro = "Prezzo: 10 € — già pagato";
            assertThat(text(extract(euro.getBytes(Charset.forName("ISO-8859-15")), "text/plain; charset=ISO-8859-15")))
                .isEqualTo(euro.replace('—', '?'));
            assertThat(text(extract(euro.getBytes(Charset.forName("windows-1252")), "text/plain; charset=windows-1252")))
                .isEqualTo(euro);
            String russian = "Сообщение пришло";
            assertThat(text(extract(russian.getBytes(Charset.forName("KOI8-R")), "text/plain; charset=koi8-r")))
                .isEqualTo(russian);
        }

        @Test
        void unknownCharsetIsTreatedAsUndeclared() {
            assertThat(text(extract(ITALIAN.getBytes(StandardCharsets.UTF_8), "text/plain; charset=x-no-such-charset")))
                .isEqualTo(ITALIAN);
            assertThat(text(extract(ITALIAN.getBytes(StandardCharsets.ISO_8859_1), "text/plain; charset=\"bad name!\"")))
                .isEqualTo(ITALIAN);
        }

        @Test
        void utf16ByteOrderMarkWithoutCharset() {
            assertThat(text(extract(ITALIAN.getBytes(StandardCharsets.UTF_16), "text/plain"))).isEqualTo(ITALIAN);
        }

        @Test
        void utf8ByteOrderMarkIsDropped() {
            byte[] withBom = ("\uFEFF" + ITALIAN).getBytes(StandardCharsets.UTF_8);
            assertThat(text(extract(withBom, "text/plain"))).isEqualTo(ITALIAN);
        }

        @Test
        void otherTextTypesAreReadAsPlainText() {
            assertThat(text(extract("a,b\nperché,sì".getBytes(StandardCharsets.UTF_8), "text/csv"))).isEqualTo("a,b\nperché,sì");
        }

        @Test
        void textIsTruncatedAtTheCharacterCap() {
            PostinoTextExtractor small = new PostinoTextExtractor(ExtractionLimits.defaults().withMaxTextChars(100));
            ParsedContent content = extract(small, "è".repeat(1000).getBytes(StandardCharsets.UTF_8), "text/plain");
            assertThat(text(content)).isEqualTo("è".repeat(100));
            assertThat(limitsReached(content)).contains("max-text-chars");
        }

        @Test
        void inputCapCuttingACharacterInTwoStaysUtf8() {
            PostinoTextExtractor small = new PostinoTextExtractor(ExtractionLimits.defaults().withMaxInputBytes(5));
            ParsedContent content = extract(small, "èèè".getBytes(StandardCharsets.UTF_8), "text/plain; charset=utf-8");
            assertThat(text(content)).isEqualTo("èè");
            assertThat(limitsReached(content)).containsExactly("max-input-bytes");
        }

        @Test
        void shortTextReachesNoLimit() {
            assertThat(extract("hello".getBytes(StandardCharsets.UTF_8), "text/plain").getMetadata()).isEmpty();
        }

        @Test
        void emptyBodyGivesNoText() {
            assertThat(extract(new byte[0], "text/plain")).isEqualTo(ParsedContent.empty());
        }
    }

    @Nested
    class Html {
        static final String PAGE = "<!DOCTYPE html><html><head><title>Oggetto nascosto</title>"
            + "<style>body { color: red; } .x::after { content: 'STYLE-TEXT'; }</style>"
            + "<script>var secret = 'SCRIPT-TEXT';</script></head>"
            + "<body><h1>Ciao &amp; benvenuto</h1><!-- COMMENT-TEXT -->"
            + "<p>Il messaggio &egrave; arrivato perch&eacute;&nbsp;ora</p>"
            + "<script type=\"text/javascript\">document.write('BODY-SCRIPT')</script>"
            + "<style>p { margin: 0 }</style><p>Fine&#33;</p></body></html>";

        @Test
        void visibleTextOnlyWithEntitiesDecoded() {
            String text = text(extract(PAGE.getBytes(StandardCharsets.UTF_8), "text/html; charset=utf-8"));
            assertThat(text)
                .contains("Ciao & benvenuto", "Il messaggio è arrivato perché ora", "Fine!")
                .doesNotContain("STYLE-TEXT", "SCRIPT-TEXT", "BODY-SCRIPT", "COMMENT-TEXT", "color", "Oggetto nascosto", "<");
        }

        @Test
        void metaCharsetIsUsedWhenTheContentTypeHasNone() {
            String page = "<html><head><meta charset=\"iso-8859-1\"></head><body><p>" + ITALIAN + "</p></body></html>";
            assertThat(text(extract(page.getBytes(StandardCharsets.ISO_8859_1), "text/html"))).isEqualTo(ITALIAN);
        }

        @Test
        void declaredCharsetWinsOverMeta() {
            String page = "<html><head><meta charset=\"utf-8\"></head><body><p>Сообщение</p></body></html>";
            assertThat(text(extract(page.getBytes(Charset.forName("windows-1251")), "text/html; charset=windows-1251")))
                .isEqualTo("Сообщение");
        }

        @Test
        void invalidUtf8WithoutAnyDeclarationFallsBackToIso88591() {
            String page = "<html><body><p>" + ITALIAN + "</p></body></html>";
            assertThat(text(extract(page.getBytes(StandardCharsets.ISO_8859_1), "text/html"))).isEqualTo(ITALIAN);
            assertThat(text(extract(page.getBytes(StandardCharsets.ISO_8859_1), "text/html; charset=utf-8"))).isEqualTo(ITALIAN);
        }

        @Test
        void htmlTextIsTruncatedAtTheCharacterCap() {
            PostinoTextExtractor small = new PostinoTextExtractor(ExtractionLimits.defaults().withMaxTextChars(10));
            ParsedContent content = extract(small, ("<p>" + "abc ".repeat(100) + "</p>").getBytes(StandardCharsets.UTF_8), "text/html");
            assertThat(text(content)).hasSizeLessThanOrEqualTo(10).startsWith("abc abc");
            assertThat(limitsReached(content)).contains("max-text-chars");
        }
    }

    @Nested
    class Pdf {
        @Test
        void italianText() {
            assertThat(text(extract(pdf(ITALIAN), "application/pdf"))).isEqualTo(ITALIAN);
        }

        @Test
        void pdfSentAsOctetStreamOrWithoutContentTypeIsRecognised() {
            assertThat(text(extract(pdf(ITALIAN), "application/octet-stream"))).isEqualTo(ITALIAN);
            assertThat(text(extract(pdf(ITALIAN), null))).isEqualTo(ITALIAN);
        }

        @Test
        void encryptedWithAUserPasswordGivesNoText() {
            byte[] encrypted = pdf(protection("owner-secret", "user-secret"), ITALIAN);
            assertThat(extract(encrypted, "application/pdf")).isEqualTo(ParsedContent.empty());
        }

        @Test
        void encryptedWithAnOwnerPasswordOnlyIsReadable() {
            byte[] encrypted = pdf(protection("owner-secret", ""), ITALIAN);
            assertThat(text(extract(encrypted, "application/pdf"))).isEqualTo(ITALIAN);
        }

        @Test
        void corruptPdfGivesNoText() {
            byte[] corrupt = "%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >>\nthis is not a pdf\n%%EOF"
                .getBytes(StandardCharsets.ISO_8859_1);
            assertThat(extract(corrupt, "application/pdf")).isEqualTo(ParsedContent.empty());
            assertThat(extract("not a pdf at all".getBytes(StandardCharsets.US_ASCII), "application/pdf"))
                .isEqualTo(ParsedContent.empty());
            assertThat(extract(new byte[0], "application/pdf")).isEqualTo(ParsedContent.empty());
        }

        @Test
        void truncatedPdfNeverThrows() {
            byte[] whole = pdf(ITALIAN, "Seconda pagina");
            for (int length : new int[] {10, whole.length / 3, whole.length / 2, whole.length - 40}) {
                ParsedContent content = extract(Arrays.copyOf(whole, length), "application/pdf");
                assertThat(text(content)).doesNotContain("%PDF");
            }
        }

        @Test
        void onlyTheFirstPagesUpToTheCap() {
            PostinoTextExtractor twoPages = new PostinoTextExtractor(ExtractionLimits.defaults().withMaxPdfPages(2));
            ParsedContent content = extract(twoPages, pdf("pagina uno", "pagina due", "pagina tre"), "application/pdf");
            assertThat(text(content)).contains("pagina uno", "pagina due").doesNotContain("pagina tre");
            assertThat(limitsReached(content)).containsExactly("max-pdf-pages");
        }

        @Test
        void pdfLargerThanTheInputCapIsNotParsed() {
            byte[] document = pdf(ITALIAN);
            PostinoTextExtractor small = new PostinoTextExtractor(ExtractionLimits.defaults().withMaxInputBytes(document.length - 1));
            ParsedContent content = extract(small, document, "application/pdf");
            assertThat(content.getTextualContent()).isEmpty();
            assertThat(limitsReached(content)).containsExactly("max-input-bytes");
        }

        @Test
        void textIsTruncatedAtTheCharacterCap() {
            PostinoTextExtractor small = new PostinoTextExtractor(ExtractionLimits.defaults().withMaxTextChars(12));
            ParsedContent content = extract(small, pdf(ITALIAN), "application/pdf");
            assertThat(text(content)).isEqualTo(ITALIAN.substring(0, 12).strip());
            assertThat(limitsReached(content)).containsExactly("max-text-chars");
        }

        @Test
        @Timeout(60)
        void flateBombContentStreamStopsAtTheMemoryCap() throws IOException {
            byte[] bomb = pdfWithContent("BT /F1 12 Tf 72 700 Td (Bomba) Tj ET\n" + " ".repeat(32 * 1024 * 1024));
            assertThat(bomb.length).isLessThan(1024 * 1024);
            PostinoTextExtractor small = new PostinoTextExtractor(ExtractionLimits.defaults()
                .withMaxInputBytes(1024 * 1024).withMaxUncompressedBytes(1024 * 1024));
            ParsedContent content = extract(small, bomb, "application/pdf");
            assertThat(content.getTextualContent()).isEmpty();
            assertThat(limitsReached(content)).containsExactly("max-uncompressed-bytes");

            // within the default limits the same file is read, so the cap is what stopped it above
            assertThat(text(extract(bomb, "application/pdf"))).isEqualTo("Bomba");
        }

        private byte[] pdfWithContent(String operators) throws IOException {
            try (PDDocument document = new PDDocument()) {
                PDPage page = new PDPage();
                PDResources resources = new PDResources();
                resources.put(COSName.getPDFName("F1"), PDType1Font.HELVETICA);
                page.setResources(resources);
                page.setContents(new PDStream(document,
                    new ByteArrayInputStream(operators.getBytes(StandardCharsets.US_ASCII)), COSName.FLATE_DECODE));
                document.addPage(page);
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                document.save(out);
                return out.toByteArray();
            }
        }
    }

    @Nested
    class Office {
        @Test
        void docxParagraphsInOrder() {
            String document = DECLARATION + "<w:document " + W + " " + MC + "><w:body>"
                + "<w:p><w:r><w:t>" + ITALIAN.substring(0, 8) + "</w:t></w:r><w:r><w:t>" + ITALIAN.substring(8) + "</w:t></w:r></w:p>"
                + "<w:p><w:r><w:t>Tom &amp; Jerry</w:t><w:tab/><w:t>colonna</w:t></w:r></w:p>"
                + "<w:p><w:r><mc:AlternateContent><mc:Choice Requires=\"wps\"><w:t>casella di testo</w:t></mc:Choice>"
                + "<mc:Fallback><w:t>FALLBACK-TEXT</w:t></mc:Fallback></mc:AlternateContent></w:r></w:p>"
                + "<w:p><w:r><w:delText>DELETED-TEXT</w:delText><w:instrText>INSTRUCTION</w:instrText></w:r></w:p>"
                + "</w:body></w:document>";
            assertThat(text(extract(docx(document), DOCX)))
                .isEqualTo(ITALIAN + "\nTom & Jerry\tcolonna\ncasella di testo");
        }

        @Test
        void docxSentAsOctetStreamIsRecognised() {
            assertThat(text(extract(docx(wordDocument(ITALIAN)), "application/octet-stream"))).isEqualTo(ITALIAN);
        }

        @Test
        void xlsxSharedAndInlineStrings() {
            String sharedStrings = DECLARATION + "<sst " + S + " count=\"3\" uniqueCount=\"3\">"
                + "<si><t>Fattura</t></si>"
                + "<si><r><t>Totale </t></r><r><rPr><b/></rPr><t>dovuto</t></r></si>"
                + "<si><t>東京</t><rPh sb=\"0\" eb=\"2\"><t>トウキョウ</t></rPh><phoneticPr fontId=\"1\"/></si>"
                + "</sst>";
            String sheet = DECLARATION + "<worksheet " + S + "><sheetData><row r=\"1\">"
                + "<c r=\"A1\" t=\"s\"><v>0</v></c>"
                + "<c r=\"B1\" t=\"inlineStr\"><is><t>stringa in linea</t></is></c>"
                + "<c r=\"C1\"><v>42</v></c>"
                + "</row></sheetData></worksheet>";
            byte[] xlsx = zip(ordered(
                "[Content_Types].xml", contentTypes(""),
                "xl/worksheets/sheet1.xml", sheet,
                "xl/sharedStrings.xml", sharedStrings));
            assertThat(text(extract(xlsx, XLSX))).isEqualTo("Fattura\nTotale dovuto\n東京\nstringa in linea");
        }

        @Test
        void pptxSlidesInSlideOrder() {
            byte[] pptx = zip(ordered(
                "[Content_Types].xml", contentTypes(""),
                "ppt/slides/slide10.xml", slide("decima"),
                "ppt/slides/slide2.xml", slide("seconda", "ancora la seconda"),
                "ppt/slides/_rels/slide2.xml.rels", DECLARATION + "<Relationships/>",
                "ppt/slideLayouts/slideLayout1.xml", DECLARATION + "<p:sldLayout " + A + " " + P + "><a:t>LAYOUT-TEXT</a:t></p:sldLayout>",
                "ppt/slides/slide1.xml", slide(ITALIAN)));
            assertThat(text(extract(pptx, PPTX))).isEqualTo(ITALIAN + "\nseconda\nancora la seconda\ndecima");
        }

        @Test
        void odtParagraphsAndHeadings() {
            String content = odfContent("<office:text>"
                + "<text:h text:outline-level=\"1\">Titolo</text:h>"
                + "<text:p>Il messaggio <text:span>è</text:span> arrivato<text:s/>perché</text:p>"
                + "<text:p>a<text:s text:c=\"3\"/>b<text:tab/>c<text:line-break/>d</text:p>"
                + "<text:p><office:annotation><dc:creator>AUTHOR-NAME</dc:creator><dc:date>2024-01-01T00:00:00</dc:date>"
                + "<text:p>nota</text:p></office:annotation>commentato</text:p>"
                + "<text:tracked-changes><text:changed-region><text:deletion><text:p>DELETED-TEXT</text:p></text:deletion>"
                + "</text:changed-region></text:tracked-changes>"
                + "</office:text>");
            assertThat(text(extract(odf(ODT, content), ODT)))
                .isEqualTo("Titolo\nIl messaggio è arrivato perché\na   b\tc\nd\nnotacommentato");
        }

        @Test
        void odsCellsAndOdpFrames() {
            String ods = odfContent("<office:spreadsheet><table:table table:name=\"Foglio1\"><table:table-row>"
                + "<table:table-cell office:value-type=\"string\"><text:p>Fattura</text:p></table:table-cell>"
                + "<table:table-cell office:value-type=\"float\" office:value=\"42\"><text:p>42</text:p></table:table-cell>"
                + "</table:table-row></table:table></office:spreadsheet>");
            assertThat(text(extract(odf(ODS, ods), ODS))).isEqualTo("Fattura\n42");
            String odp = odfContent("<office:presentation><draw:page draw:name=\"p1\"><draw:frame><draw:text-box>"
                + "<text:p>" + ITALIAN + "</text:p></draw:text-box></draw:frame></draw:page></office:presentation>");
            assertThat(text(extract(odf(ODP, odp), ODP))).isEqualTo(ITALIAN);
        }

        @Test
        void externalEntitiesAreNotRead(@TempDir Path directory) throws IOException {
            Path secret = directory.resolve("secret.txt");
            Files.writeString(secret, "TOP-SECRET-CONTENT");
            String document = DECLARATION + "<!DOCTYPE w:document [<!ENTITY xxe SYSTEM \"" + secret.toUri() + "\">]>"
                + "<w:document " + W + "><w:body><w:p><w:r><w:t>prima &xxe; dopo</w:t></w:r></w:p></w:body></w:document>";
            ParsedContent content = extract(docx(document), DOCX);
            assertThat(text(content)).doesNotContain("TOP-SECRET-CONTENT");
        }

        @Test
        void internalEntityExpansionIsNotDone() {
            String document = DECLARATION + "<!DOCTYPE w:document [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">]>"
                + "<w:document " + W + "><w:body><w:p><w:r><w:t>&b;&b;&b;</w:t></w:r></w:p></w:body></w:document>";
            assertThat(text(extract(docx(document), DOCX))).doesNotContain("aaaaaaaaaa");
        }

        @Test
        void brokenXmlPartIsSkippedAndOtherPartsAreRead() {
            byte[] pptx = zip(ordered(
                "ppt/slides/slide1.xml", DECLARATION + "<p:sld " + A + " " + P + "><a:t>rotto",
                "ppt/slides/slide2.xml", slide("intatta")));
            assertThat(text(extract(pptx, PPTX))).contains("intatta");
        }

        @Test
        void brokenOrForeignFilesGiveNoText() {
            byte[] notZip = "PK\u0003\u0004 this is not really a zip".getBytes(StandardCharsets.ISO_8859_1);
            assertThat(extract(notZip, DOCX)).isEqualTo(ParsedContent.empty());
            byte[] legacyExcel = {(byte) 0xD0, (byte) 0xCF, 0x11, (byte) 0xE0, (byte) 0xA1, (byte) 0xB1, 0x1A, (byte) 0xE1};
            assertThat(extract(legacyExcel, "application/vnd.ms-excel.sheet.macroEnabled.12")).isEqualTo(ParsedContent.empty());
            byte[] plainZip = zip(ordered("readme.txt", "ZIP-TEXT", "data.xml", "<a>XML-TEXT</a>"));
            assertThat(extract(plainZip, "application/octet-stream")).isEqualTo(ParsedContent.empty());
            byte[] whole = docx(wordDocument(ITALIAN));
            assertThat(text(extract(Arrays.copyOf(whole, whole.length / 2), DOCX))).doesNotContain("PK");
        }

        @Test
        void longTextIsTruncatedAtTheCharacterCap() {
            PostinoTextExtractor small = new PostinoTextExtractor(ExtractionLimits.defaults().withMaxTextChars(1000));
            ParsedContent content = extract(small, docx(wordDocument("parola ".repeat(100_000))), DOCX);
            assertThat(text(content)).hasSizeLessThanOrEqualTo(1000).startsWith("parola parola");
            assertThat(limitsReached(content)).containsExactly("max-text-chars");
        }

        @Test
        @Timeout(60)
        void hugeEntryAfterTheDocumentStopsAtTheInflateCapAndKeepsTheText() {
            Map<String, byte[]> entries = new LinkedHashMap<>();
            entries.put("word/document.xml", wordDocument(ITALIAN).getBytes(StandardCharsets.UTF_8));
            entries.put("word/media/bomb.bin", new byte[256 * 1024 * 1024]);
            byte[] bomb = zipBytes(entries);
            assertThat((long) bomb.length).isLessThan(ExtractionLimits.DEFAULT_MAX_INPUT_BYTES);

            ParsedContent content = extract(bomb, DOCX);

            assertThat(text(content)).isEqualTo(ITALIAN);
            assertThat(limitsReached(content)).containsExactly("max-uncompressed-bytes");
        }

        @Test
        void hugeDocumentPartStopsAtTheInflateCap() {
            Map<String, byte[]> entries = new LinkedHashMap<>();
            entries.put("word/document.xml", (DECLARATION + "<w:document " + W + "><w:body><w:p><w:r><w:t>inizio"
                + " ".repeat(8 * 1024 * 1024) + "fine</w:t></w:r></w:p></w:body></w:document>").getBytes(StandardCharsets.UTF_8));
            PostinoTextExtractor small = new PostinoTextExtractor(ExtractionLimits.defaults().withMaxUncompressedBytes(512 * 1024));
            ParsedContent content = extract(small, zipBytes(entries), DOCX);
            assertThat(text(content)).startsWith("inizio").doesNotContain("fine");
            assertThat(limitsReached(content)).containsExactly("max-uncompressed-bytes");
        }

        @Test
        void tooManyEntriesStopAtTheEntryCap() {
            Map<String, String> entries = new LinkedHashMap<>();
            entries.put("ppt/slides/slide1.xml", slide("prima"));
            IntStream.range(0, 500).forEach(i -> entries.put("junk/" + i + ".txt", ""));
            entries.put("ppt/slides/slide2.xml", slide("UNREACHED"));
            PostinoTextExtractor small = new PostinoTextExtractor(ExtractionLimits.defaults().withMaxArchiveEntries(100));
            ParsedContent content = extract(small, zip(entries), PPTX);
            assertThat(text(content)).isEqualTo("prima");
            assertThat(limitsReached(content)).containsExactly("max-archive-entries");
        }

        @Test
        void deadlineStopsTheExtraction() {
            PostinoTextExtractor hasty = new PostinoTextExtractor(ExtractionLimits.defaults().withMaxDuration(Duration.ofNanos(1)));
            ParsedContent content = extract(hasty, docx(wordDocument(ITALIAN)), DOCX);
            assertThat(content.getTextualContent()).isEmpty();
            assertThat(limitsReached(content)).containsExactly("max-duration");
        }
    }

    @Nested
    class Dispatch {
        @Test
        void binaryAndUnknownTypesGiveNoText() {
            byte[] png = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0, 0, 0, 0x0D};
            assertThat(extract(png, "image/png")).isEqualTo(ParsedContent.empty());
            assertThat(extract(ITALIAN.getBytes(StandardCharsets.UTF_8), "application/x-unknown")).isEqualTo(ParsedContent.empty());
            assertThat(extract(ITALIAN.getBytes(StandardCharsets.UTF_8), "application/octet-stream")).isEqualTo(ParsedContent.empty());
            assertThat(extract(ITALIAN.getBytes(StandardCharsets.UTF_8), null)).isEqualTo(ParsedContent.empty());
            assertThat(extract(pdf(ITALIAN), "image/jpeg")).isEqualTo(ParsedContent.empty());
        }

        @Test
        void applicable() {
            assertThat(extractor.applicable(ContentType.of("text/plain"))).isTrue();
            assertThat(extractor.applicable(ContentType.of("TEXT/HTML; charset=utf-8"))).isTrue();
            assertThat(extractor.applicable(ContentType.of("application/pdf"))).isTrue();
            assertThat(extractor.applicable(ContentType.of(DOCX))).isTrue();
            assertThat(extractor.applicable(ContentType.of(ODS))).isTrue();
            assertThat(extractor.applicable(ContentType.of("application/octet-stream"))).isTrue();
            assertThat(extractor.applicable(ContentType.of("image/png"))).isFalse();
            assertThat(extractor.applicable(ContentType.of("application/zip"))).isFalse();
        }

        @Test
        void theStreamIsClosedAndNullsAreHandled() {
            AtomicBoolean closed = new AtomicBoolean();
            InputStream stream = new FilterInputStream(new ByteArrayInputStream(new byte[] {1, 2, 3})) {
                @Override
                public void close() throws IOException {
                    closed.set(true);
                    super.close();
                }
            };
            extractor.extractContent(stream, ContentType.of("image/png"));
            assertThat(closed).isTrue();
            assertThat(extractor.extractContent(null, ContentType.of("text/plain"))).isEqualTo(ParsedContent.empty());
        }

        @Test
        void failingStreamGivesNoText() {
            InputStream failing = new InputStream() {
                @Override
                public int read() throws IOException {
                    throw new IOException("connection reset");
                }
            };
            assertThat(extractor.extractContent(failing, ContentType.of("text/plain"))).isEqualTo(ParsedContent.empty());
        }

        @Test
        void reactiveExtraction() {
            ParsedContent content = extractor.extractContentReactive(new ByteArrayInputStream(pdf(ITALIAN)),
                ContentType.of("application/pdf")).block(Duration.ofSeconds(30));
            assertThat(content.getTextualContent()).contains(ITALIAN);
        }

        @Test
        void limitsMustBePositive() {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> ExtractionLimits.defaults().withMaxTextChars(0))
                .isInstanceOf(IllegalArgumentException.class);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> ExtractionLimits.defaults().withMaxDuration(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
        }
    }

    /** The PDF James's own search tests index ("beautiful banana"), carried in a message and parsed by mime4j. */
    @Nested
    class JamesAttachment {
        @Test
        void pdfAttachmentOfAMessage() throws IOException {
            byte[] attachment;
            try (InputStream resource = ClassLoader.getSystemResourceAsStream("eml/attachment.pdf")) {
                assertThat(resource).as("eml/attachment.pdf from apache-james-mailbox-store's tests jar").isNotNull();
                attachment = resource.readAllBytes();
            }
            Multipart multipart = MultipartBuilder.create("mixed")
                .addBodyPart(BodyPartBuilder.create()
                    .setBody(attachment, "application/pdf")
                    .setContentTransferEncoding("base64")
                    .setContentDisposition("attachment", "attachment.pdf"))
                .addBodyPart(BodyPartBuilder.create()
                    .setBody("The message has a PDF attachment.", "plain", StandardCharsets.UTF_8))
                .build();
            ByteArrayOutputStream eml = new ByteArrayOutputStream();
            new DefaultMessageWriter().writeMessage(Message.Builder.of().setSubject("PDF").setBody(multipart).build(), eml);

            Message parsed = new DefaultMessageBuilder().parseMessage(new ByteArrayInputStream(eml.toByteArray()));
            List<Entity> parts = ((Multipart) parsed.getBody()).getBodyParts();
            Map<String, String> textByMimeType = parts.stream().collect(Collectors.toMap(Entity::getMimeType, part -> {
                try (InputStream body = ((SingleBody) part.getBody()).getInputStream()) {
                    return text(extractor.extractContent(body, ContentType.of(part.getMimeType()
                        + Optional.ofNullable(part.getCharset()).map(charset -> "; charset=" + charset).orElse(""))));
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }));

            assertThat(textByMimeType.get("application/pdf")).contains("beautiful banana");
            assertThat(textByMimeType.get("text/plain")).isEqualTo("The message has a PDF attachment.");
        }
    }
}
