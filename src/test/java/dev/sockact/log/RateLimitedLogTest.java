package dev.sockact.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.ResourceBundle;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RateLimitedLogTest {
    private static final long SECOND = 1_000_000_000L;

    /** A logger that keeps what it is given, at every level. */
    private static final class Recorder implements System.Logger {
        final List<String> lines = new ArrayList<>();
        Level threshold = Level.ALL;

        @Override
        public String getName() {
            return "test";
        }

        @Override
        public boolean isLoggable(Level level) {
            return level.getSeverity() >= threshold.getSeverity();
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
            lines.add(msg);
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String format, Object... params) {
            lines.add(format);
        }
    }

    private final Recorder logger = new Recorder();
    private final AtomicLong now = new AtomicLong(1_000 * SECOND);
    private final RateLimitedLog log = new RateLimitedLog(logger, 10 * SECOND, 3, now::get);

    @Test
    void logsTheBurstThenDropsUntilTheIntervalEnds() {
        for (int i = 0; i < 100; i++) {
            log.log(Level.WARNING, "failed " + i);
        }
        assertThat(logger.lines).containsExactly("failed 0", "failed 1", "failed 2");
        assertThat(log.suppressed()).isEqualTo(97);
    }

    @Test
    void theFirstLineOfTheNextIntervalCountsTheDropped() {
        for (int i = 0; i < 5; i++) {
            log.log(Level.WARNING, "failed");
        }
        now.addAndGet(10 * SECOND);
        log.log(Level.WARNING, "failed again");
        log.log(Level.WARNING, "and again");
        assertThat(logger.lines).containsExactly("failed", "failed", "failed",
                "failed again (suppressed 2 similar messages)", "and again");
        assertThat(log.suppressed()).isZero();
    }

    @Test
    void oneDroppedIsSaidInTheSingular() {
        for (int i = 0; i < 4; i++) {
            log.log(Level.WARNING, "x");
        }
        now.addAndGet(11 * SECOND);
        log.log(Level.WARNING, "y");
        assertThat(logger.lines.getLast()).isEqualTo("y (suppressed 1 similar message)");
    }

    @Test
    void aLineBelowTheThresholdNeitherCountsNorUsesTheBurst() {
        logger.threshold = Level.WARNING;
        for (int i = 0; i < 10; i++) {
            log.log(Level.DEBUG, "quiet");
        }
        log.log(Level.WARNING, "loud");
        assertThat(logger.lines).containsExactly("loud");
        assertThat(log.suppressed()).isZero();
    }

    @Test
    void staysWithinTheBurstUnderManyThreads() throws InterruptedException {
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            threads.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < 1000; i++) {
                    log.log(Level.WARNING, "busy");
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        synchronized (logger) {
            assertThat(logger.lines).hasSize(3);
        }
        assertThat(log.suppressed()).isEqualTo(8 * 1000 - 3);
    }
}
