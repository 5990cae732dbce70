package org.postino.extensions.search.text;

import java.io.IOException;
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

    private PdfText() {
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
