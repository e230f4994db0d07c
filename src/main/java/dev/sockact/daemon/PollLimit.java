package dev.sockact.daemon;

import dev.sockact.event.Timer;

/**
 * PollLimitIntervalSec=/PollLimitBurst= for one listening fd (systemd 255: sd_event_source_set_ratelimit() on the
 * port's event source). Each poll of the fd is counted; one over the burst within the interval pauses the fd until
 * the interval ends, where the trigger limit would fail the whole socket. The defaults (2 s; 15, or 150 with
 * Accept=yes) sit below the trigger limit's (20, or 200), so a flood pauses the socket before it could fail it
 * (systemd#15633). A zero interval or burst turns it off.
 *
 * <p>The pause outlives the fd's watch being taken away and given back (the socket running its service, and
 * listening again), as a rate-limited sd-event source stays limited while it is disabled.
 */
final class PollLimit {
    private final RateLimit limit;
    private Timer resume;

    PollLimit(long intervalNanos, long burst) {
        this.limit = new RateLimit(intervalNanos, burst);
    }

    /** Counts one poll at {@code now}; false when it is one too many (the caller then {@link #pause}s). */
    boolean allows(long now) {
        return limit.below(now);
    }

    /** Gives back the last poll counted: it found nothing to do (an accept that would block). */
    void uncount() {
        limit.uncount();
    }

    boolean paused() {
        return resume != null;
    }

    /** Until the current interval ends; then {@code onResume} (which watches the fd again if it still should). */
    void pause(UnitContext loop, long now, Runnable onResume) {
        if (resume != null) {
            return;
        }
        // PollLimitIntervalSec=infinity: paused for good, as far as a timer can say (its deadline must not overflow).
        long left = Math.min(limit.windowLeft(now), Long.MAX_VALUE / 4);
        resume = loop.schedule(left, () -> {
            resume = null;
            onResume.run();
        });
    }

    /** The fd is closed: no pause outlives it. */
    void cancel() {
        if (resume != null) {
            resume.cancel();
            resume = null;
        }
    }
}
