package org.postino.extensions.search.text;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * One extraction's state: the text found so far (in named sections, joined in name order at the end), the caps
 * reached, the uncompressed-byte budget and the deadline. Not thread-safe; one per call.
 */
final class Extraction {
    private final ExtractionLimits limits;
    private final long deadlineNanos;
    private final Map<String, StringBuilder> sections = new TreeMap<>();
    private final Set<Limit> reached = EnumSet.noneOf(Limit.class);
    private long chars;
    private long uncompressedBytes;

    Extraction(ExtractionLimits limits) {
        this.limits = limits;
        this.deadlineNanos = System.nanoTime() + limits.maxDuration().toNanos();
    }

    ExtractionLimits limits() {
        return limits;
    }

    /** Appends to the unnamed section. */
    void append(CharSequence text) {
        append("", text);
    }

    void append(char c) {
        append("", String.valueOf(c));
    }

    /**
     * Appends to a section; throws {@link LimitReached} once the text, over all sections, reaches
     * {@link ExtractionLimits#maxTextChars()} (keeping what fits).
     */
    void append(String section, CharSequence text) {
        if (text.length() == 0) {
            return;
        }
        long room = limits.maxTextChars() - chars;
        StringBuilder builder = sections.computeIfAbsent(section, name -> new StringBuilder());
        if (text.length() > room) {
            builder.append(text, 0, (int) Math.max(0, room));
            chars = limits.maxTextChars();
            throw reach(Limit.MAX_TEXT_CHARS);
        }
        builder.append(text);
        chars += text.length();
    }

    /** Whether the last character of a section is a line break or the section is empty. */
    boolean atLineStart(String section) {
        StringBuilder builder = sections.get(section);
        return builder == null || builder.length() == 0 || builder.charAt(builder.length() - 1) == '\n';
    }

    /** Counts bytes inflated from an archive; throws {@link LimitReached} past the budget. */
    void inflated(long bytes) {
        uncompressedBytes += bytes;
        if (uncompressedBytes > limits.maxUncompressedBytes()) {
            throw reach(Limit.MAX_UNCOMPRESSED_BYTES);
        }
    }

    void checkDeadline() {
        if (System.nanoTime() - deadlineNanos > 0) {
            throw reach(Limit.MAX_DURATION);
        }
    }

    LimitReached reach(Limit limit) {
        reached.add(limit);
        return new LimitReached(limit);
    }

    void noteReached(Limit limit) {
        reached.add(limit);
    }

    Set<Limit> reached() {
        return EnumSet.copyOf(reached);
    }

    /** The sections joined by line breaks, cut to the character cap. */
    String text() {
        StringBuilder all = new StringBuilder((int) Math.min(chars + sections.size(), Integer.MAX_VALUE));
        for (StringBuilder section : sections.values()) {
            if (section.length() == 0) {
                continue;
            }
            if (all.length() > 0 && all.charAt(all.length() - 1) != '\n') {
                all.append('\n');
            }
            all.append(section);
        }
        if (all.length() > limits.maxTextChars()) {
            all.setLength(limits.maxTextChars());
        }
        if (all.length() > 0 && Character.isHighSurrogate(all.charAt(all.length() - 1))) {
            all.setLength(all.length() - 1);
        }
        return all.toString();
    }
}
