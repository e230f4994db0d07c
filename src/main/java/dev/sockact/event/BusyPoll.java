package dev.sockact.event;

/**
 * How long an {@link EventLoop} polls for its next event before it sleeps in epoll_wait, adapted to the gaps it
 * sees, as Linux's haltpoll cpuidle governor adapts a virtual CPU's polling before it halts.
 *
 * <p>Why poll at all: a sleeping loop is woken by the kernel, and on a virtual machine whose CPU then halts, the
 * wake-up is an interrupt to a halted CPU, delivered through the hypervisor. With one datagram in flight that
 * costs more than the datagram's whole path through the loop. A loop that polls while its next event is a few
 * microseconds away stays on its CPU instead.
 *
 * <p>The rule (haltpoll's): an idle gap that ended within {@code max} but after the window would have been caught
 * by a longer one, so the window doubles (from {@code max / 4}, up to {@code max}); a gap longer than {@code max}
 * would have been polled in vain, so the window halves, down to none. So a loop whose events come at most
 * {@code max} apart polls, and one whose traffic has become sparse, or stopped, sleeps at once again after a few
 * gaps. Between polls the loop yields its CPU to whatever else is runnable there.
 */
public final class BusyPoll {
    /** A window under this is worth less than the clock reads that bound it: none. */
    private static final long SMALLEST_WINDOW_NANOS = 1_000;

    private final long maxNanos;
    private long windowNanos;

    /** @param maxNanos the longest window: more than 0 */
    public BusyPoll(long maxNanos) {
        if (maxNanos <= 0) {
            throw new IllegalArgumentException("maxNanos must be positive");
        }
        this.maxNanos = maxNanos;
        this.windowNanos = maxNanos;
    }

    /** How long to poll before sleeping, now. */
    public long windowNanos() {
        return windowNanos;
    }

    /** The loop was idle for {@code gapNanos} (polling, then sleeping if nothing came) before its next event. */
    public void idleEnded(long gapNanos) {
        if (gapNanos > windowNanos && gapNanos <= maxNanos) {
            windowNanos = Math.min(maxNanos, Math.max(windowNanos * 2, maxNanos / 4));
        } else if (gapNanos > maxNanos) {
            windowNanos /= 2;
            if (windowNanos < SMALLEST_WINDOW_NANOS) {
                windowNanos = 0;
            }
        }
    }
}
