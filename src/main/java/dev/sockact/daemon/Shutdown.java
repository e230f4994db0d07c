package dev.sockact.daemon;

import java.util.List;
import java.util.function.Supplier;

/**
 * sockactd's shutdown (SIGTERM/SIGINT): the services stop first, then, once every one is inactive, the sockets
 * (they may hold fds a stopping service still uses), and once those are dead or failed the loop ends. Driven by
 * {@link #advance} after every state change.
 */
final class Shutdown {
    /** Where the shutdown is. */
    enum Phase {
        /** sockactd runs; nothing is being stopped. */
        NOT_REQUESTED,
        /** Every service was told to stop; waiting until all are inactive. */
        STOPPING_SERVICES,
        /** Every socket was told to stop; waiting until all are dead or failed. */
        STOPPING_SOCKETS,
        /** Everything is down and the loop was told to end. */
        DONE
    }

    private final Supplier<List<? extends ManagedUnit>> services;
    private final Supplier<List<? extends ManagedUnit>> sockets;
    private final Runnable finished;
    private Phase phase = Phase.NOT_REQUESTED;

    /**
     * @param services the services to stop first (read afresh each time: Accept=yes instances come and go)
     * @param sockets  the sockets to stop then, retired ones included
     * @param finished runs once all are down (ends the loop)
     */
    Shutdown(Supplier<List<? extends ManagedUnit>> services, Supplier<List<? extends ManagedUnit>> sockets,
             Runnable finished) {
        this.services = services;
        this.sockets = sockets;
        this.finished = finished;
    }

    Phase phase() {
        return phase;
    }

    /** Whether a shutdown was requested: nothing starts any more. */
    boolean requested() {
        return phase != Phase.NOT_REQUESTED;
    }

    /** Stops every service, then goes on as far as it can; false (and nothing done) if already requested. */
    boolean begin() {
        if (requested()) {
            return false;
        }
        phase = Phase.STOPPING_SERVICES;
        for (ManagedUnit service : services.get()) {
            service.stop();   // an Accept=yes instance may end, and leave the registry, at once
        }
        return true;
    }

    /** After a state change: the sockets stop once the services are down, and the loop ends once they are. */
    void advance() {
        if (phase == Phase.STOPPING_SERVICES && services.get().stream().allMatch(Shutdown::down)) {
            phase = Phase.STOPPING_SOCKETS;
            for (ManagedUnit socket : sockets.get()) {
                socket.stop();
            }
        }
        if (phase == Phase.STOPPING_SOCKETS && sockets.get().stream().allMatch(Shutdown::down)) {
            phase = Phase.DONE;
            finished.run();
        }
    }

    private static boolean down(ManagedUnit unit) {
        return unit.activeState() == ActiveState.INACTIVE || unit.activeState() == ActiveState.FAILED;
    }
}
