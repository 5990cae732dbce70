package org.postino.extensions.search.text;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The text of Office Open XML (docx, xlsx, pptx) and OpenDocument (odt, ods, odp) files, read with
 * {@link ZipInputStream} and StAX, without Apache POI:
 * <ul>
 * <li>docx: {@code w:t} of {@code word/document.xml} (or {@code documentN.xml}), a line per paragraph;</li>
 * <li>xlsx: the shared strings of {@code xl/sharedStrings.xml} (phonetic runs left out), then the inline
 * strings of {@code xl/worksheets/sheetN.xml} in sheet order;</li>
 * <li>pptx: {@code a:t} of {@code ppt/slides/slideN.xml}, in slide order;</li>
 * <li>OpenDocument: the paragraphs and headings of {@code content.xml}.</li>
 * </ul>
 * Parts are recognised by name, so a file sent as {@code application/octet-stream} is read the same way.
 * Markup Compatibility fallbacks ({@code mc:Fallback}) are skipped, so text boxes are not read twice.
 *
 * <p>Hostile input: DTDs and external entities are off (a DOCTYPE makes its part unreadable); every entry's
 * inflated bytes, skipped entries included, count against {@link ExtractionLimits#maxUncompressedBytes()}, and
 * entries against {@link ExtractionLimits#maxArchiveEntries()}. A part that is not well-formed is skipped; an
 * archive that breaks off keeps the text read before.
 */
final class OfficeText {
    private static final Logger LOGGER = LoggerFactory.getLogger(OfficeText.class);

    static final String WORDPROCESSING = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
    static final String SPREADSHEET = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    static final String DRAWING = "http://schemas.openxmlformats.org/drawingml/2006/main";
    static final String MARKUP_COMPATIBILITY = "http://schemas.openxmlformats.org/markup-compatibility/2006";
    static final String ODF_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0";
    /** Author and date of an OpenDocument annotation: not text of the document. */
    static final String DUBLIN_CORE = "http://purl.org/dc/elements/1.1/";

    private static final Pattern DOCUMENT = Pattern.compile("word/document(\\d*)\\.xml");
    private static final Pattern SHEET = Pattern.compile("xl/worksheets/sheet(\\d+)\\.xml");
    private static final Pattern SLIDE = Pattern.compile("ppt/slides/slide(\\d+)\\.xml");
    private static final String SHARED_STRINGS = "xl/sharedStrings.xml";
    private static final String ODF_CONTENT = "content.xml";
    private static final int EVENTS_PER_DEADLINE_CHECK = 1024;

    private OfficeText() {
    }

    /** Whether the bytes start like a zip archive (a local file header). */
    static boolean looksLikeZip(byte[] bytes) {
        return bytes.length >= 4 && bytes[0] == 'P' && bytes[1] == 'K' && bytes[2] == 3 && bytes[3] == 4;
    }

    static void extract(byte[] archive, Extraction extraction) throws IOException {
        XMLInputFactory factory = secureFactory();
        int entries = 0;
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(archive))) {
            ZipEntry entry;
            while ((entry = zip.getNextEntry()) != null) {
                if (++entries > extraction.limits().maxArchiveEntries()) {
                    throw extraction.reach(Limit.MAX_ARCHIVE_ENTRIES);
                }
                extraction.checkDeadline();
                InputStream content = new InflatedBytes(zip, extraction);
                Part part = entry.isDirectory() ? null : Part.of(entry.getName());
                if (part != null) {
                    read(factory, content, part, extraction);
                }
                drain(content, extraction);
            }
        }
    }

    private static void read(XMLInputFactory factory, InputStream content, Part part, Extraction extraction) {
        XMLStreamReader reader = null;
        try {
            reader = factory.createXMLStreamReader(content);
            part.kind.walk(reader, part.section, extraction);
        } catch (XMLStreamException | RuntimeException e) {
            if (e instanceof LimitReached) {
                throw (LimitReached) e;
            }
            if (e.getCause() instanceof LimitReached) {
                throw (LimitReached) e.getCause();
            }
            LOGGER.debug("Skipping unreadable part {} of an office document: {}", part.section, e.toString());
        } finally {
            if (reader != null) {
                try {
                    reader.close();
                } catch (XMLStreamException ignored) {
                    // nothing held but the entry, which the zip stream owns
                }
            }
        }
    }

    private static void drain(InputStream content, Extraction extraction) throws IOException {
        byte[] buffer = new byte[8192];
        while (content.read(buffer) >= 0) {
            extraction.checkDeadline();
        }
    }

    /** The JDK's own StAX parser, with DTDs and external entities off. */
    private static XMLInputFactory secureFactory() {
        XMLInputFactory factory = XMLInputFactory.newDefaultFactory();
        factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        factory.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        factory.setXMLResolver((publicId, systemId, baseUri, namespace) -> {
            throw new XMLStreamException("External resources are not read: " + systemId);
        });
        return factory;
    }

    /** A zip entry's inflated bytes, counted against the archive's budget; closing it leaves the zip open. */
    private static final class InflatedBytes extends InputStream {
        private final ZipInputStream zip;
        private final Extraction extraction;

        InflatedBytes(ZipInputStream zip, Extraction extraction) {
            this.zip = zip;
            this.extraction = extraction;
        }

        @Override
        public int read() throws IOException {
            int b = zip.read();
            if (b >= 0) {
                extraction.inflated(1);
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = zip.read(buffer, offset, length);
            if (n > 0) {
                extraction.inflated(n);
            }
            return n;
        }

        @Override
        public void close() {
        }
    }

    /** A zip entry worth reading, and the section its text goes to (sections are joined in name order). */
    private record Part(Kind kind, String section) {
        static Part of(String name) {
            Matcher document = DOCUMENT.matcher(name);
            if (document.matches()) {
                return new Part(Kind.WORD, "1-docx-" + padded(document.group(1)));
            }
            if (name.equals(SHARED_STRINGS)) {
                return new Part(Kind.SHARED_STRINGS, "2-xlsx-0");
            }
            Matcher sheet = SHEET.matcher(name);
            if (sheet.matches()) {
                return new Part(Kind.SHEET, "2-xlsx-1-" + padded(sheet.group(1)));
            }
            Matcher slide = SLIDE.matcher(name);
            if (slide.matches()) {
                return new Part(Kind.SLIDE, "3-pptx-" + padded(slide.group(1)));
            }
            if (name.equals(ODF_CONTENT)) {
                return new Part(Kind.OPEN_DOCUMENT, "4-odf");
            }
            return null;
        }

        private static String padded(String number) {
            String digits = number.isEmpty() ? "0" : number.replaceFirst("^0+(?=\\d)", "");
            return "0".repeat(Math.max(0, 12 - digits.length())) + digits;
        }
    }

    /** How text is found in one kind of part. */
    private enum Kind {
        WORD {
            @Override
            Rule rule(String namespace, String name) {
                if (!WORDPROCESSING.equals(namespace)) {
                    return Rule.NONE;
                }
                switch (name) {
                    case "t":
                        return Rule.TEXT;
                    case "p":
                        return Rule.LINE_AFTER;
                    case "tab":
                        return Rule.TAB;
                    case "br":
                    case "cr":
                        return Rule.BREAK;
                    default:
                        return Rule.NONE;
                }
            }
        },
        SHARED_STRINGS {
            @Override
            Rule rule(String namespace, String name) {
                if (!SPREADSHEET.equals(namespace)) {
                    return Rule.NONE;
                }
                switch (name) {
                    case "t":
                        return Rule.TEXT;
                    case "si":
                        return Rule.LINE_AFTER;
                    case "rPh":
                    case "phoneticPr":
                        return Rule.SKIP;
                    default:
                        return Rule.NONE;
                }
            }
        },
        SHEET {
            @Override
            Rule rule(String namespace, String name) {
                if (!SPREADSHEET.equals(namespace)) {
                    return Rule.NONE;
                }
                switch (name) {
                    case "is":
                        return Rule.INLINE_STRING;
                    case "t":
                        return Rule.TEXT;
                    case "rPh":
                        return Rule.SKIP;
                    default:
                        return Rule.NONE;
                }
            }
        },
        SLIDE {
            @Override
            Rule rule(String namespace, String name) {
                if (!DRAWING.equals(namespace)) {
                    return Rule.NONE;
                }
                switch (name) {
                    case "t":
                        return Rule.TEXT;
                    case "p":
                        return Rule.LINE_AFTER;
                    case "br":
                        return Rule.BREAK;
                    default:
                        return Rule.NONE;
                }
            }
        },
        OPEN_DOCUMENT {
            @Override
            Rule rule(String namespace, String name) {
                if (DUBLIN_CORE.equals(namespace)) {
                    return Rule.SKIP;
                }
                if (!ODF_TEXT.equals(namespace)) {
                    return Rule.NONE;
                }
                switch (name) {
                    case "p":
                    case "h":
                        return Rule.TEXT_LINE;
                    case "s":
                        return Rule.SPACES;
                    case "tab":
                        return Rule.TAB;
                    case "line-break":
                        return Rule.BREAK;
                    case "tracked-changes":
                        return Rule.SKIP;
                    default:
                        return Rule.NONE;
                }
            }
        };

        abstract Rule rule(String namespace, String name);

        /**
         * Walks one part. Characters count when inside a TEXT or TEXT_LINE element (and, for worksheets, inside
         * an inline string), never inside a SKIP element or an mc:Fallback.
         */
        void walk(XMLStreamReader reader, String section, Extraction extraction) throws XMLStreamException {
            int textDepth = 0;
            int skipDepth = 0;
            int inlineDepth = 0;
            int events = 0;
            while (reader.hasNext()) {
                int event = reader.next();
                if (++events % EVENTS_PER_DEADLINE_CHECK == 0) {
                    extraction.checkDeadline();
                }
                switch (event) {
                    case XMLStreamConstants.START_ELEMENT: {
                        String namespace = reader.getNamespaceURI();
                        String name = reader.getLocalName();
                        if (skipDepth > 0 || (MARKUP_COMPATIBILITY.equals(namespace) && "Fallback".equals(name))) {
                            skipDepth++;
                            break;
                        }
                        Rule rule = rule(namespace, name);
                        switch (rule) {
                            case SKIP:
                                skipDepth++;
                                break;
                            case TEXT:
                            case TEXT_LINE:
                                textDepth++;
                                break;
                            case INLINE_STRING:
                                inlineDepth++;
                                break;
                            case TAB:
                                extraction.append(section, "\t");
                                break;
                            case BREAK:
                                extraction.append(section, "\n");
                                break;
                            case SPACES:
                                extraction.append(section, " ".repeat(spaces(reader)));
                                break;
                            default:
                                break;
                        }
                        break;
                    }
                    case XMLStreamConstants.END_ELEMENT: {
                        if (skipDepth > 0) {
                            skipDepth--;
                            break;
                        }
                        Rule rule = rule(reader.getNamespaceURI(), reader.getLocalName());
                        switch (rule) {
                            case TEXT:
                                textDepth--;
                                break;
                            case TEXT_LINE:
                                textDepth--;
                                if (textDepth == 0) {
                                    lineEnd(section, extraction);
                                }
                                break;
                            case LINE_AFTER:
                                lineEnd(section, extraction);
                                break;
                            case INLINE_STRING:
                                inlineDepth--;
                                lineEnd(section, extraction);
                                break;
                            default:
                                break;
                        }
                        break;
                    }
                    case XMLStreamConstants.CHARACTERS:
                    case XMLStreamConstants.CDATA:
                    case XMLStreamConstants.SPACE:
                        if (skipDepth == 0 && textDepth > 0 && (this != SHEET || inlineDepth > 0)) {
                            extraction.append(section, reader.getText());
                        }
                        break;
                    default:
                        break;
                }
            }
            lineEnd(section, extraction);
        }

        private static void lineEnd(String section, Extraction extraction) {
            if (!extraction.atLineStart(section)) {
                extraction.append(section, "\n");
            }
        }

        private static int spaces(XMLStreamReader reader) {
            String count = reader.getAttributeValue(ODF_TEXT, "c");
            if (count == null) {
                return 1;
            }
            try {
                return Math.max(1, Math.min(Integer.parseInt(count.trim()), 64));
            } catch (NumberFormatException e) {
                return 1;
            }
        }
    }

    private enum Rule {
        NONE, TEXT, TEXT_LINE, LINE_AFTER, INLINE_STRING, TAB, BREAK, SPACES, SKIP
    }
}
