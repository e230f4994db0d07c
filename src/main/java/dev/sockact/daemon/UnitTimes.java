package dev.sockact.daemon;

import java.time.Instant;

/**
 * A unit's timestamps as systemd keeps them (unit_notify()): when the state last changed, and when the unit last
 * entered and left the active and the inactive states. Wall-clock microseconds since the epoch; 0 means never.
 */
final class UnitTimes {
    long stateChange;
    long activeEnter;
    long activeExit;
    long inactiveEnter;
    long inactiveExit;

    static long nowMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1000;
    }

    /** Records a state change from {@code from} to {@code to} (sub-state changes count too). */
    void changed(ActiveState from, ActiveState to) {
        long now = nowMicros();
        stateChange = now;
        boolean wasInactive = from == ActiveState.INACTIVE || from == ActiveState.FAILED;
        boolean isInactive = to == ActiveState.INACTIVE || to == ActiveState.FAILED;
        if (wasInactive && !isInactive) {
            inactiveExit = now;
        } else if (!wasInactive && isInactive) {
            inactiveEnter = now;
        }
        boolean wasActive = from == ActiveState.ACTIVE || from == ActiveState.RELOADING;
        boolean isActive = to == ActiveState.ACTIVE || to == ActiveState.RELOADING;
        if (!wasActive && isActive) {
            activeEnter = now;
        } else if (wasActive && !isActive) {
            activeExit = now;
        }
    }

    /** The time systemctl status prints after "since" for a unit in {@code state}. */
    long since(ActiveState state) {
        return switch (state) {
            case ACTIVE, RELOADING -> activeEnter;
            case INACTIVE, FAILED -> inactiveEnter;
            case ACTIVATING -> inactiveExit;
            case DEACTIVATING -> activeExit;
        };
    }
}
