package dev.sockact.daemon;

/**
 * systemd's ratelimit_below(): at most {@code burst} events per {@code intervalNanos}; an interval or burst of 0
 * disables the limit. Time comes from the caller so the logic is testable without clocks.
 */
final class RateLimit {
    private final long intervalNanos;
    private final long burst;
    private long windowStart;
    private long count;
    private boolean started;
    /** The last {@link #below} began the current window (for {@link #uncount}). */
    private boolean lastBeganWindow;

    RateLimit(long intervalNanos, long burst) {
        this.intervalNanos = intervalNanos;
        this.burst = burst;
    }

    /** Counts one event at {@code now}; false when it is over the limit. */
    boolean below(long now) {
        if (intervalNanos <= 0 || burst <= 0) {
            return true;
        }
        lastBeganWindow = !started || now - windowStart >= intervalNanos;
        if (lastBeganWindow) {
            started = true;
            windowStart = now;
            count = 0;
        }
        if (count < burst) {
            count++;
            return true;
        }
        return false;
    }

    /**
     * Whether an event at {@code now} would be counted ({@link #below} true), without counting it. Once true it
     * stays true while no event is counted: windows only end as time goes on.
     */
    boolean allows(long now) {
        return intervalNanos <= 0 || burst <= 0 || !started || now - windowStart >= intervalNanos || count < burst;
    }

    /**
     * Takes back the last event counted (it turned out not to be one), and the new window it began, if it began
     * one: an event that was none does not move the window, so two limits counted at the same instants (a socket's
     * poll and trigger limits) keep the same windows. The window it replaced had ended: none is left, and the next
     * event begins one.
     */
    void uncount() {
        if (lastBeganWindow) {
            lastBeganWindow = false;
            started = false;
            count = 0;
        } else if (count > 0) {
            count--;
        }
    }

    /** How long the current window still lasts at {@code now} (meaningful once an event was counted). */
    long windowLeft(long now) {
        return Math.max(0, intervalNanos - (now - windowStart));
    }

    void reset() {
        started = false;
        count = 0;
    }

    long burst() {
        return burst;
    }
}
