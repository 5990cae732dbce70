package org.postino.extensions.search.text;

import java.io.IOException;
import java.util.List;

import java.io.InputStream;
import java.io.UncheckedIOException;

import org.apache.fontbox.FontBoxFont;
import org.apache.fontbox.ttf.TTFParser;
import org.apache.fontbox.ttf.TrueTypeFont;
import org.apache.pdfbox.pdmodel.font.CIDFontMapping;
import org.apache.pdfbox.pdmodel.font.FontMapper;
import org.apache.pdfbox.pdmodel.font.FontMapping;
import org.apache.pdfbox.pdmodel.font.FontMappers;
import org.apache.pdfbox.pdmodel.font.PDCIDSystemInfo;
import org.apache.pdfbox.pdmodel.font.PDFont;
import org.apache.pdfbox.pdmodel.font.PDFontDescriptor;
import java.io.Writer;
import java.util.List;

import org.apache.pdfbox.contentstream.operator.Operator;
import org.apache.pdfbox.cos.COSBase;
import org.apache.pdfbox.io.MemoryUsageSetting;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.text.PDFTextStripper;

/**
 * The text of a PDF, by PDFBox 2.0, page by page from the first, up to {@link ExtractionLimits#maxPdfPages()}.
 * A PDF that needs a password to open (a user password; an owner password alone does not stop reading) or that
 * PDFBox cannot load throws here, and {@link PostinoTextExtractor} turns that into no text. The memory PDFBox
 * may use for the file and its decoded streams is bounded (main memory only, no temporary files), which stops
 * "flate bombs" inside the PDF.
 */
final class PdfText {
    /** How many content stream operators run between two looks at the clock. */
    private static final int OPERATORS_PER_DEADLINE_CHECK = 256;
    /** How PDFBox 2.0's ScratchFile says that the memory allowed by its MemoryUsageSetting is used up. */
    private static final String SCRATCH_MEMORY_EXCEEDED = "Maximum allowed scratch file memory exceeded";

    static {
        noSystemFonts();
    }

    private PdfText() {
    }

    /**
     * Text extraction needs no font files, but PDFBox's default font mapper scans every font on
     * the machine the first time a PDF names a font it does not embed (seconds, and a cache in the
     * home directory). With no font provider, such fonts map to PDFBox's own bundled fallback.
     */
    private static void noSystemFonts() {
        FontMappers.set(new BundledFontOnly());
    }

    /** Maps every font a PDF does not embed to PDFBox's bundled Liberation Sans, without looking at the system. */
    private static final class BundledFontOnly implements FontMapper {
        private volatile TrueTypeFont fallback;

        private TrueTypeFont fallback() {
            if (fallback == null) {
                synchronized (this) {
                    if (fallback == null) {
                        try (InputStream in = PDFont.class.getResourceAsStream("/org/apache/pdfbox/resources/ttf/LiberationSans-Regular.ttf")) {
                            fallback = new TTFParser().parse(in);
                        } catch (IOException e) {
                            throw new UncheckedIOException("PDFBox's bundled font is missing", e);
                        }
                    }
                }
            }
            return fallback;
        }

        @Override
        public FontMapping<TrueTypeFont> getTrueTypeFont(String baseFont, PDFontDescriptor descriptor) {
            return new FontMapping<>(fallback(), true);
        }

        @Override
        public FontMapping<FontBoxFont> getFontBoxFont(String baseFont, PDFontDescriptor descriptor) {
            return new FontMapping<>(fallback(), true);
        }

        @Override
        public CIDFontMapping getCIDFont(String baseFont, PDFontDescriptor descriptor, PDCIDSystemInfo cidSystemInfo) {
            return new CIDFontMapping(null, fallback(), true);
        }
    }

    static void extract(byte[] pdf, Extraction extraction) throws IOException {
        ExtractionLimits limits = extraction.limits();
        MemoryUsageSetting memory = MemoryUsageSetting.setupMainMemoryOnly(
            saturatedAdd(limits.maxInputBytes(), limits.maxUncompressedBytes()));
        try (PDDocument document = PDDocument.load(pdf, "", null, null, memory)) {
            extraction.checkDeadline();
            if (document.getNumberOfPages() > limits.maxPdfPages()) {
                extraction.noteReached(Limit.MAX_PDF_PAGES);
            }
            BoundedStripper stripper = new BoundedStripper(extraction);
            stripper.setEndPage(limits.maxPdfPages());
            stripper.writeText(document, new ExtractionWriter(extraction));
        } catch (IOException e) {
            if (String.valueOf(e.getMessage()).contains(SCRATCH_MEMORY_EXCEEDED)) {
                throw extraction.reach(Limit.MAX_UNCOMPRESSED_BYTES);
            }
            throw e;
        }
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return sum < 0 ? Long.MAX_VALUE : sum;
    }

    /** Looks at the clock between pages and every few operators inside a page. */
    private static final class BoundedStripper extends PDFTextStripper {
        private final Extraction extraction;
        private int operators;

        BoundedStripper(Extraction extraction) throws IOException {
            this.extraction = extraction;
        }

        @Override
        public void processPage(PDPage page) throws IOException {
            extraction.checkDeadline();
            super.processPage(page);
        }

        @Override
        protected void processOperator(Operator operator, List<COSBase> operands) throws IOException {
            if (++operators % OPERATORS_PER_DEADLINE_CHECK == 0) {
                extraction.checkDeadline();
            }
            super.processOperator(operator, operands);
        }
    }

    /** Where PDFBox writes the text: straight into the extraction, which stops it at the character cap. */
    private static final class ExtractionWriter extends Writer {
        private final Extraction extraction;

        ExtractionWriter(Extraction extraction) {
            this.extraction = extraction;
        }

        @Override
        public void write(char[] buffer, int offset, int length) {
            extraction.append(java.nio.CharBuffer.wrap(buffer, offset, length));
        }

        @Override
        public void write(String text) {
            extraction.append(text);
        }

        @Override
        public void write(String text, int offset, int length) {
            extraction.append(text.substring(offset, offset + length));
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }
}
