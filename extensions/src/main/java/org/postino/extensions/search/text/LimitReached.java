package org.postino.extensions.search.text;

/**
 * Stops an extraction that reached a cap; {@link PostinoTextExtractor} keeps the text found so far. Unchecked, so
 * that it passes through the parsers (PDFBox, StAX) that call back into this package, which catch and forgive
 * many {@link java.io.IOException}s.
 */
final class LimitReached extends RuntimeException {
    private final Limit limit;

    LimitReached(Limit limit) {
        super(limit.metadataName(), null, false, false);
        this.limit = limit;
    }

    Limit limit() {
        return limit;
    }
}
