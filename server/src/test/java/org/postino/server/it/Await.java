package org.postino.server.it;

import java.time.Duration;
import java.util.concurrent.Callable;

/** Polls until a condition holds, failing with the last observation after the timeout. */
final class Await {

    private Await() {
    }

    static <T> T until(Duration timeout, Callable<T> probe, java.util.function.Predicate<T> condition) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        T last = null;
        Exception lastError = null;
        while (System.nanoTime() < deadline) {
            try {
                last = probe.call();
                if (condition.test(last)) {
                    return last;
                }
                lastError = null;
            } catch (Exception e) {
                lastError = e;
            }
            Thread.sleep(250);
        }
        AssertionError error = new AssertionError("condition not met after " + timeout + "; last value: " + last);
        if (lastError != null) {
            error.initCause(lastError);
        }
        throw error;
    }
}
