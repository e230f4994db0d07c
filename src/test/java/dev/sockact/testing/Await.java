package dev.sockact.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Bounded waits: poll a condition until a generous deadline, so a broken build fails instead of hanging. */
public final class Await {
    /** Long enough for a loaded 2-core CI machine; only ever reached when something is broken. */
    public static final Duration DEFAULT = Duration.ofSeconds(30);

    private Await() {
        throw new AssertionError();
    }

    public static void until(String what, BooleanSupplier condition) {
        until(what, DEFAULT, condition);
    }

    public static void until(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what, e);
            }
        }
    }
}
