package org.postino.extensions.search.text;

import java.time.Duration;
import java.util.Objects;

/**
 * Bounds on what {@link PostinoTextExtractor} does with one message part. A mail server indexes whatever
 * strangers send it, so every way to make extraction slow or large is capped; a part that reaches a cap
 * yields the text found up to then (or none, see each component), never an exception.
 *
 * @param maxInputBytes        bytes read from the part; a PDF or an office document larger than this is not
 *                             parsed at all, plain text and HTML are cut there
 * @param maxTextChars         characters of text returned; longer text is truncated
 * @param maxUncompressedBytes bytes inflated from an office document's zip entries, counted over all entries
 *                             (those skipped too); for a PDF, the memory its decoded streams may take on top of
 *                             the file itself
 * @param maxArchiveEntries    zip entries looked at in an office document
 * @param maxPdfPages          PDF pages whose text is extracted (the first ones)
 * @param maxDuration          time one extraction may take; checked between steps (zip entries, XML events,
 *                             PDF operators), so one step may overrun it a little
 */
public record ExtractionLimits(long maxInputBytes,
                               int maxTextChars,
                               long maxUncompressedBytes,
                               int maxArchiveEntries,
                               int maxPdfPages,
                               Duration maxDuration) {

    public static final long DEFAULT_MAX_INPUT_BYTES = 20L * 1024 * 1024;
    public static final int DEFAULT_MAX_TEXT_CHARS = 1_000_000;
    public static final long DEFAULT_MAX_UNCOMPRESSED_BYTES = 100L * 1024 * 1024;
    public static final int DEFAULT_MAX_ARCHIVE_ENTRIES = 10_000;
    public static final int DEFAULT_MAX_PDF_PAGES = 1_000;
    public static final Duration DEFAULT_MAX_DURATION = Duration.ofSeconds(30);

    public ExtractionLimits {
        positive(maxInputBytes, "maxInputBytes");
        positive(maxTextChars, "maxTextChars");
        positive(maxUncompressedBytes, "maxUncompressedBytes");
        positive(maxArchiveEntries, "maxArchiveEntries");
        positive(maxPdfPages, "maxPdfPages");
        Objects.requireNonNull(maxDuration, "maxDuration");
        if (maxDuration.isNegative() || maxDuration.isZero()) {
            throw new IllegalArgumentException("maxDuration must be positive, was " + maxDuration);
        }
    }

    /** 20 MiB in, 1,000,000 characters out, 100 MiB inflated, 10,000 zip entries, 1,000 PDF pages, 30 s. */
    public static ExtractionLimits defaults() {
        return new ExtractionLimits(DEFAULT_MAX_INPUT_BYTES, DEFAULT_MAX_TEXT_CHARS, DEFAULT_MAX_UNCOMPRESSED_BYTES,
            DEFAULT_MAX_ARCHIVE_ENTRIES, DEFAULT_MAX_PDF_PAGES, DEFAULT_MAX_DURATION);
    }

    public ExtractionLimits withMaxInputBytes(long value) {
        return new ExtractionLimits(value, maxTextChars, maxUncompressedBytes, maxArchiveEntries, maxPdfPages, maxDuration);
    }

    public ExtractionLimits withMaxTextChars(int value) {
        return new ExtractionLimits(maxInputBytes, value, maxUncompressedBytes, maxArchiveEntries, maxPdfPages, maxDuration);
    }

    public ExtractionLimits withMaxUncompressedBytes(long value) {
        return new ExtractionLimits(maxInputBytes, maxTextChars, value, maxArchiveEntries, maxPdfPages, maxDuration);
    }

    public ExtractionLimits withMaxArchiveEntries(int value) {
        return new ExtractionLimits(maxInputBytes, maxTextChars, maxUncompressedBytes, value, maxPdfPages, maxDuration);
    }

    public ExtractionLimits withMaxPdfPages(int value) {
        return new ExtractionLimits(maxInputBytes, maxTextChars, maxUncompressedBytes, maxArchiveEntries, value, maxDuration);
    }

    public ExtractionLimits withMaxDuration(Duration value) {
        return new ExtractionLimits(maxInputBytes, maxTextChars, maxUncompressedBytes, maxArchiveEntries, maxPdfPages, value);
    }

    private static void positive(long value, String name) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, was " + value);
        }
    }
}
