package dev.sockact.testing;

import org.junit.jupiter.api.function.ThrowingSupplier;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

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
            pause(what);
        }
    }

    /**
     * Asks {@code probe} until its answer satisfies {@code done} and returns that answer; a timeout fails with the
     * last answer, an exception from the probe at once.
     */
    public static <T> T until(String what, Duration timeout, ThrowingSupplier<T> probe, Predicate<? super T> done) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            T answer;
            try {
                answer = probe.get();
            } catch (Throwable t) {
                throw new AssertionError("failed waiting for " + what, t);
            }
            if (done.test(answer)) {
                return answer;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what + "; last:\n" + answer);
            }
            pause(what);
        }
    }

    private static void pause(String what) {
        try {
            Thread.sleep(10);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted waiting for " + what, e);
        }
    }
}
