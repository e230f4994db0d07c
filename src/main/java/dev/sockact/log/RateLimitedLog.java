package dev.sockact.log;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.function.LongSupplier;

/**
 * One message that can repeat on a hot path (a failed connect per client, a failed accept per wake-up): at most
 * {@code burst} lines per {@code interval}, as systemd's {@code log_ratelimit_*()} and journald's rate limit do.
 * The first line logged after some were dropped says how many: {@code ... (suppressed 362 similar messages)}.
 * Thread-safe: the proxy's loops share one per call site.
 */
public final class RateLimitedLog {
    /** journald's RateLimitBurst= per 10 s, scaled to one call site: enough to see a problem's variety. */
    public static final int DEFAULT_BURST = 10;
    public static final long DEFAULT_INTERVAL_NANOS = 10_000_000_000L;

    private final Logger logger;
    private final long intervalNanos;
    private final int burst;
    private final LongSupplier clock;
    private long windowStart;
    private int inWindow;
    private boolean started;
    private long suppressed;

    public RateLimitedLog(Logger logger) {
        this(logger, DEFAULT_INTERVAL_NANOS, DEFAULT_BURST, System::nanoTime);
    }

    /** @param clock nanoseconds, as {@link System#nanoTime}; a test passes its own */
    public RateLimitedLog(Logger logger, long intervalNanos, int burst, LongSupplier clock) {
        this.logger = logger;
        this.intervalNanos = intervalNanos;
        this.burst = burst;
        this.clock = clock;
    }

    /** Logs {@code message}, unless this call site logged {@code burst} lines in the current interval already. */
    public void log(Level level, String message) {
        if (!logger.isLoggable(level)) {
            return;
        }
        long dropped;
        synchronized (this) {
            long now = clock.getAsLong();
            if (!started || now - windowStart >= intervalNanos) {
                started = true;
                windowStart = now;
                inWindow = 0;
            }
            if (inWindow >= burst) {
                suppressed++;
                return;
            }
            inWindow++;
            dropped = suppressed;
            suppressed = 0;
        }
        logger.log(level, dropped == 0 ? message : message + " (suppressed " + dropped + " similar message"
                + (dropped == 1 ? "" : "s") + ")");
    }

    /** Lines dropped since the last one logged. */
    public synchronized long suppressed() {
        return suppressed;
    }
}
