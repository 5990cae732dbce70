package org.postino.server.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;


class StorageGuardTest {

    private static final long FLOOR = 64L << 20;

    private final AtomicLong free = new AtomicLong(FLOOR * 2);
    private final StorageGuard testee = new StorageGuard(Path.of("/var/postino"), FLOOR, free::get);

    @Test
    void mailShouldPassAtOnceWhileThereIsRoom() {
        long start = System.nanoTime();
        testee.awaitRoom();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(StorageGuard.POLL);
    }

    @Test
    void mailShouldWaitBelowTheFloorAndGoOnOnceThereIsRoomAgain() throws Exception {
        free.set(FLOOR - 1);
        AtomicLong passed = new AtomicLong();
        Thread waiting = new Thread(() -> {
            testee.awaitRoom();
            passed.incrementAndGet();
        });
        waiting.start();

        Thread.sleep(StorageGuard.POLL.toMillis() * 2 + 200);
        assertThat(passed.get()).as("held while the disk is nearly full").isZero();

        free.set(FLOOR);
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (passed.get() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(passed.get()).as("released once there is room").isEqualTo(1);
    }
}
