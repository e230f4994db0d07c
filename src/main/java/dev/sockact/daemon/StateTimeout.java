package dev.sockact.daemon;

import dev.sockact.event.Timer;
import dev.sockact.unit.TimeSpan;

import java.util.function.Supplier;

/**
 * The one timer of a unit's state machine (systemd's timer_event_source): armed for the state the unit is in, it
 * fires only if the unit is still in that state. A state change that does not keep it cancels it.
 *
 * @param <S> the unit's state type
 */
final class StateTimeout<S> {
    private final UnitContext loop;
    private final Supplier<S> state;
    private final Runnable onTimeout;
    private Timer timer;

    StateTimeout(UnitContext loop, Supplier<S> state, Runnable onTimeout) {
        this.loop = loop;
        this.state = state;
        this.onTimeout = onTimeout;
    }

    /** (Re)arms for the current state; an infinite or zero span arms nothing (systemd's "no timeout"). */
    void arm(TimeSpan span) {
        cancel();
        if (!span.isInfinite() && span.micros() > 0) {
            S armedIn = state.get();
            timer = loop.schedule(span.toNanos(), () -> {
                timer = null;
                if (state.get() == armedIn) {
                    onTimeout.run();
                }
            });
        }
    }

    /** Runs {@code action} after {@code nanos} instead (a restart delay), on the same single timer. */
    void schedule(long nanos, Runnable action) {
        cancel();
        timer = loop.schedule(nanos, () -> {
            timer = null;
            action.run();
        });
    }

    void cancel() {
        if (timer != null) {
            timer.cancel();
            timer = null;
        }
    }
}
