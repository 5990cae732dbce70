package org.postino.server.queue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;


/**
 * Keeps the queues from filling the data directory's file system. Below {@code queue.pauseBelowFreeSpace} of usable
 * space, mail taken from a queue waits before it is processed (it stays in the queue's transaction: nothing is lost,
 * nothing is written), and processing resumes by itself once there is room again. The SMTP listeners refuse new mail
 * well before that ({@code RequireFreeSpaceHook}, 256 MiB by default); this is what protects the mail already accepted:
 * delivering it into mailboxes takes space too, and a queue journal or database that hits a full disk can be damaged.
 */
public final class StorageGuard {

    static final Duration POLL = Duration.ofSeconds(1);
    private static final Logger LOGGER = LoggerFactory.getLogger(StorageGuard.class);

    private final Path directory;
    private final long floor;
    private final LongSupplier usable;
    private final AtomicBoolean paused = new AtomicBoolean();

    StorageGuard(Path directory, long floor, LongSupplier usable) {
        this.directory = directory;
        this.floor = floor;
        this.usable = usable;
    }

    public static StorageGuard of(Path directory, long floor) {
        return new StorageGuard(directory, floor, () -> usableSpace(directory));
    }

    /** Returns at once when there is room; otherwise once there is, checking every {@link #POLL}. */
    void awaitRoom() {
        while (!hasRoom()) {
            try {
                Thread.sleep(POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    boolean hasRoom() {
        long free = usable.getAsLong();
        boolean room = free >= floor;
        if (!room && paused.compareAndSet(false, true)) {
            LOGGER.error("Mail processing paused: {} MiB free under {}, below queue.pauseBelowFreeSpace ({} MiB). "
                + "Queued mail is safe and waits; free some space to resume.", free >> 20, directory, floor >> 20);
        } else if (room && paused.compareAndSet(true, false)) {
            LOGGER.warn("Mail processing resumed: {} MiB free under {}", free >> 20, directory);
        }
        return room;
    }

    private static long usableSpace(Path directory) {
        try {
            return Files.getFileStore(directory).getUsableSpace();
        } catch (IOException e) {
            // Cannot tell: do not stop the mail for it.
            LOGGER.warn("Could not read the free space under {}", directory, e);
            return Long.MAX_VALUE;
        }
    }
}
