package org.postino.extensions.search;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.james.mailbox.model.MailboxId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The mailboxes whose search index is known to be behind their content (an event could not be
 * indexed, or the counts disagreed at start-up). Kept in a small file, so a restart does not
 * forget them; without a file (tests) it lives in memory.
 */
public class IndexBacklog {
    private static final Logger LOGGER = LoggerFactory.getLogger(IndexBacklog.class);

    private final Optional<Path> file;
    private final Map<String, Long> behind = new LinkedHashMap<>();
    private final AtomicLong generation = new AtomicLong();

    public static IndexBacklog inMemory() {
        return new IndexBacklog(Optional.empty());
    }

    public static IndexBacklog inFile(Path file) {
        return new IndexBacklog(Optional.of(file));
    }

    private IndexBacklog(Optional<Path> file) {
        this.file = file;
        file.filter(Files::exists).ifPresent(path -> {
            try {
                for (String line : Files.readAllLines(path, StandardCharsets.UTF_8)) {
                    if (!line.isBlank()) {
                        behind.put(line.trim(), generation.incrementAndGet());
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the search index backlog " + path, e);
            }
            if (!behind.isEmpty()) {
                LOGGER.warn("Search index: {} mailbox(es) left behind before the last stop; they will be caught up", behind.size());
            }
        });
    }

    /** Records that the index of this mailbox misses changes. */
    public void markBehind(MailboxId mailboxId, String reason) {
        boolean added;
        synchronized (this) {
            added = behind.put(mailboxId.serialize(), generation.incrementAndGet()) == null;
            if (added) {
                persist();
            }
        }
        if (added) {
            LOGGER.warn("Search index: mailbox {} fell behind ({}); searches in it answer NO until it is caught up",
                mailboxId.serialize(), reason);
        }
    }

    public synchronized boolean isBehind(MailboxId mailboxId) {
        return behind.containsKey(mailboxId.serialize());
    }

    public synchronized boolean isEmpty() {
        return behind.isEmpty();
    }

    public synchronized int size() {
        return behind.size();
    }

    /** The mailboxes behind, each with the generation at which it was last marked. */
    public synchronized Map<String, Long> snapshot() {
        return new LinkedHashMap<>(behind);
    }

    /**
     * Clears the mark of a mailbox caught up from a snapshot taken at {@code generation}; a mark
     * set again since then (a newer failure) stays.
     */
    public synchronized boolean caughtUp(String mailboxId, long generationSeen) {
        Long current = behind.get(mailboxId);
        if (current == null || current > generationSeen) {
            return false;
        }
        behind.remove(mailboxId);
        persist();
        return true;
    }

    private void persist() {
        if (file.isEmpty()) {
            return;
        }
        Path path = file.get();
        try {
            Files.createDirectories(path.getParent());
            Path tmp = path.resolveSibling(path.getFileName() + ".tmp");
            List<String> lines = new ArrayList<>(behind.keySet());
            Files.write(tmp, lines, StandardCharsets.UTF_8);
            Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            LOGGER.error("Search index: cannot write the backlog file {}: {}", path, e.toString());
        }
    }
}
