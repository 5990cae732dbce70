package org.postino.extensions.search.text;

/** The caps of {@link ExtractionLimits}, by the name they carry in {@link PostinoTextExtractor#LIMITS_METADATA}. */
enum Limit {
    MAX_INPUT_BYTES("max-input-bytes"),
    MAX_TEXT_CHARS("max-text-chars"),
    MAX_UNCOMPRESSED_BYTES("max-uncompressed-bytes"),
    MAX_ARCHIVE_ENTRIES("max-archive-entries"),
    MAX_PDF_PAGES("max-pdf-pages"),
    MAX_DURATION("max-duration");

    private final String metadataName;

    Limit(String metadataName) {
        this.metadataName = metadataName;
    }

    String metadataName() {
        return metadataName;
    }
}
