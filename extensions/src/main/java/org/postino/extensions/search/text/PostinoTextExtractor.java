package org.postino.extensions.search.text;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import org.apache.james.mailbox.extractor.ParsedContent;
import org.apache.james.mailbox.extractor.TextExtractor;
import org.apache.james.mailbox.model.ContentType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Text of message parts for the mailbox search index, without Tika:
 * <ul>
 * <li>{@code text/html} (and {@code application/xhtml+xml}): the visible text, see {@link HtmlText};</li>
 * <li>other {@code text/*}: the text in its declared charset; UTF-8 when none is declared or the declared one
 * is UTF-8 or US-ASCII, and ISO-8859-1 when such bytes are not valid UTF-8;</li>
 * <li>{@code application/pdf}: by PDFBox, see {@link PdfText};</li>
 * <li>Office Open XML (docx, xlsx, pptx and their macro and template variants) and OpenDocument (odt, ods,
 * odp): by {@code java.util.zip} and StAX, see {@link OfficeText};</li>
 * <li>{@code application/octet-stream} or no content type: a PDF or an office document recognised by its first
 * bytes, as above;</li>
 * <li>anything else: no text.</li>
 * </ul>
 * Every part is bounded by {@link ExtractionLimits}. A part that reaches a cap gives the text found up to it
 * (none for a PDF or an office document over {@link ExtractionLimits#maxInputBytes()}), with the caps reached
 * listed under {@link #LIMITS_METADATA} in the metadata. A part that cannot be read (an encrypted PDF, a broken
 * file) gives no text. This class never throws from {@link #extractContent}, so one bad attachment never stops a
 * message from being indexed. It closes the stream it is given. Thread-safe.
 */
public class PostinoTextExtractor implements TextExtractor {
    /** Metadata key listing the {@link ExtractionLimits} a part reached, e.g. {@code max-text-chars}. */
    public static final String LIMITS_METADATA = "postino-text-limits";

    private static final Logger LOGGER = LoggerFactory.getLogger(PostinoTextExtractor.class);
    /** Bytes that can hold a character in any charset Java ships (a UTF-8 or GB18030 sequence, a UTF-32 unit). */
    private static final int MAX_BYTES_PER_CHAR = 4;
    private static final int PDF_HEADER_WINDOW = 1024;

    enum Format { PLAIN, HTML, PDF, OFFICE, SNIFF, NONE }

    private final ExtractionLimits limits;

    public PostinoTextExtractor() {
        this(ExtractionLimits.defaults());
    }

    public PostinoTextExtractor(ExtractionLimits limits) {
        this.limits = Objects.requireNonNull(limits, "limits");
    }

    public ExtractionLimits limits() {
        return limits;
    }

    @Override
    public boolean applicable(ContentType contentType) {
        return formatOf(contentType) != Format.NONE;
    }

    @Override
    public ParsedContent extractContent(InputStream inputStream, ContentType contentType) {
        if (inputStream == null) {
            return ParsedContent.empty();
        }
        try {
            return extract(inputStream, contentType);
        } finally {
            try {
                inputStream.close();
            } catch (IOException e) {
                LOGGER.debug("Could not close a part's stream", e);
            }
        }
    }

    private ParsedContent extract(InputStream inputStream, ContentType contentType) {
        Format format = formatOf(contentType);
        if (format == Format.NONE) {
            return ParsedContent.empty();
        }
        Extraction extraction = new Extraction(limits);
        try {
            long cap = format == Format.PLAIN
                ? Math.min(limits.maxInputBytes(), (long) MAX_BYTES_PER_CHAR * limits.maxTextChars() + MAX_BYTES_PER_CHAR)
                : limits.maxInputBytes();
            byte[] bytes = readAtMost(inputStream, cap);
            boolean complete = bytes.length <= cap;
            if (!complete) {
                bytes = Arrays.copyOf(bytes, (int) cap);
                extraction.noteReached(cap == limits.maxInputBytes() ? Limit.MAX_INPUT_BYTES : Limit.MAX_TEXT_CHARS);
            }
            if (format == Format.SNIFF) {
                format = sniff(bytes);
            }
            switch (format) {
                case PLAIN:
                    Charsets.Decoded decoded = Charsets.decode(bytes, Charsets.declared(contentType), complete,
                        limits.maxTextChars());
                    if (decoded.capped()) {
                        extraction.noteReached(Limit.MAX_TEXT_CHARS);
                    }
                    extraction.append(decoded.text());
                    break;
                case HTML:
                    HtmlText.extract(bytes, complete, Charsets.declared(contentType), extraction);
                    break;
                case PDF:
                    if (complete) {
                        PdfText.extract(bytes, extraction);
                    }
                    break;
                case OFFICE:
                    if (complete && OfficeText.looksLikeZip(bytes)) {
                        OfficeText.extract(bytes, extraction);
                    }
                    break;
                default:
                    break;
            }
        } catch (LimitReached reached) {
            LOGGER.debug("Text extraction of a {} part stopped at {}", describe(contentType), reached.limit().metadataName());
        } catch (Exception e) {
            LOGGER.debug("No more text from a {} part: {}", describe(contentType), e.toString());
        } catch (StackOverflowError e) {
            LOGGER.warn("Text extraction of a {} part overflowed the stack (deeply nested input); keeping the text found before", describe(contentType));
        }
        return result(extraction);
    }

    private static ParsedContent result(Extraction extraction) {
        String text = extraction.text().strip();
        Set<Limit> reached = extraction.reached();
        Map<String, List<String>> metadata = reached.isEmpty()
            ? Map.of()
            : Map.of(LIMITS_METADATA, reached.stream().map(Limit::metadataName).collect(Collectors.toUnmodifiableList()));
        return ParsedContent.of(text.isEmpty() ? Optional.empty() : Optional.of(text), metadata);
    }

    /** Reads up to {@code cap + 1} bytes, so that the caller sees whether there was more than {@code cap}. */
    private static byte[] readAtMost(InputStream inputStream, long cap) throws IOException {
        int length = (int) Math.min(cap + 1, Integer.MAX_VALUE - 16);
        return inputStream.readNBytes(length);
    }

    static Format formatOf(ContentType contentType) {
        if (contentType == null) {
            return Format.SNIFF;
        }
        String mimeType;
        try {
            mimeType = contentType.mimeType().asString().toLowerCase(Locale.ROOT);
        } catch (RuntimeException unparsable) {
            return Format.SNIFF;
        }
        if (mimeType.equals("text/html") || mimeType.equals("application/xhtml+xml")) {
            return Format.HTML;
        }
        if (mimeType.startsWith("text/")) {
            return Format.PLAIN;
        }
        if (mimeType.equals("application/pdf") || mimeType.equals("application/x-pdf")) {
            return Format.PDF;
        }
        if (isOffice(mimeType)) {
            return Format.OFFICE;
        }
        if (mimeType.equals("application/octet-stream") || mimeType.equals("binary/octet-stream")) {
            return Format.SNIFF;
        }
        return Format.NONE;
    }

    private static boolean isOffice(String mimeType) {
        return mimeType.startsWith("application/vnd.openxmlformats-officedocument.")
            || mimeType.startsWith("application/vnd.oasis.opendocument.")
            // docm, xlsm, pptm and their templates; the legacy binary formats fail the zip check and give no text
            || (mimeType.startsWith("application/vnd.ms-") && mimeType.endsWith(".macroenabled.12"));
    }

    private static Format sniff(byte[] bytes) {
        if (pdfHeaderWithin(bytes, PDF_HEADER_WINDOW)) {
            return Format.PDF;
        }
        if (OfficeText.looksLikeZip(bytes)) {
            return Format.OFFICE;
        }
        return Format.NONE;
    }

    /** Readers accept a PDF whose header comes after some junk, within the first kilobyte. */
    private static boolean pdfHeaderWithin(byte[] bytes, int window) {
        byte[] header = {'%', 'P', 'D', 'F', '-'};
        int last = Math.min(window, bytes.length - header.length);
        for (int start = 0; start <= last; start++) {
            if (Arrays.equals(bytes, start, start + header.length, header, 0, header.length)) {
                return true;
            }
        }
        return false;
    }

    private static String describe(ContentType contentType) {
        return contentType == null ? "(no content type)" : contentType.asString();
    }
}
