package dev.sockact.daemon;

import java.lang.System.Logger.Level;

/**
 * The bound on {@link Standby} processes, one per service at most: each is a process and holds copies of its
 * sockets. A service that finds none free is spawned at its trigger, as without standbys; the bound is logged
 * the first time it is reached. Loop thread only.
 */
final class StandbySlots {
    private static final System.Logger LOG = System.getLogger("sockactd");

    private final int bound;
    private int taken;
    private boolean reported;

    StandbySlots(int bound) {
        this.bound = bound;
    }

    /** A slot for {@code service}'s standby, or false (logged once, unless the bound is 0) when all are taken. */
    boolean take(String service) {
        if (taken >= bound) {
            if (!reported && bound > 0) {   // --standby-max=0 asked for none: nothing to tell
                reported = true;
                LOG.log(Level.INFO, "At most " + bound + " services are kept ready to start (--standby-max="
                        + bound + "): " + service + " and any other beyond them are spawned when activated.");
            }
            return false;
        }
        taken++;
        return true;
    }

    /** A standby was released to its service or ended: its slot is free again. */
    void give() {
        taken--;
    }

    int taken() {
        return taken;
    }
}
