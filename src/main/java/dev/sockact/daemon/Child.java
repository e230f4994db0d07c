package dev.sockact.daemon;

import dev.sockact.posix.ErrnoException;
import dev.sockact.posix.Processes;
import dev.sockact.posix.Signals;

import java.lang.System.Logger.Level;

/**
 * A process sockactd started, leader of its own process group (sockact's stand-in for a unit's cgroup: its
 * descendants stay in the group unless they leave it).
 */
final class Child {
    private static final System.Logger LOG = System.getLogger(Child.class.getName());

    /** How signals reach a pid ({@code -pid} for its group): kill(2), or a test's own record of them. */
    interface Kill {
        boolean kill(int pid, int signal) throws ErrnoException;
    }

    private int pid;
    private final String name;
    private final Kill kill;
    private boolean exited;
    private int deferredSignal;
    private boolean deferredToGroup;

    Child(int pid, String name) {
        this(pid, name, Processes::kill);
    }

    Child(int pid, String name, Kill kill) {
        this.pid = pid;
        this.name = name;
        this.kill = kill;
    }

    /** A child whose spawn is in flight: it counts as alive, and is signalled once {@link #started} says its pid. */
    static Child pending(String name) {
        return new Child(0, name);
    }

    /**
     * Being spawned off the loop ({@link SpawnPool}): no pid yet, not exited; signals wait for the pid. (A command
     * that never started also has no pid, but is marked exited at once.)
     */
    private boolean pending() {
        return pid == 0 && !exited;
    }

    /** The spawn in flight has its pid: a signal sent meanwhile (the strongest, SIGKILL over others) goes now. */
    void started(int pid) {
        this.pid = pid;
        if (deferredSignal != 0) {
            signal(deferredSignal, deferredToGroup);
            deferredSignal = 0;
        }
    }

    int pid() {
        return pid;
    }

    /** The executable's name, for messages ("Killing process 42 (sleep) with signal SIGKILL."). */
    String name() {
        return name;
    }

    boolean exited() {
        return exited;
    }

    void markExited() {
        exited = true;
    }

    /** Signals the process ({@code group} false) or its whole process group; false if nothing was there. */
    boolean signal(int signal, boolean group) {
        if (pending()) {
            // SIGCONT follows every SIGTERM (a stopped process could not act on it). A process not yet started is
            // not stopped: it must not take the SIGTERM's place, or the child would run on until the stop timeout.
            if (signal != 0 && signal != Signals.SIGCONT && deferredSignal != Signals.SIGKILL) {
                deferredSignal = signal;
                deferredToGroup = group;
            }
            return true;
        }
        if (pid <= 0) {
            return false;   // a command that never started; kill(0) would hit sockactd's own group
        }
        try {
            if (group) {
                // A daemon that left our group (Type=forking without setsid in its own group) still gets it.
                return kill.kill(-pid, signal) || (!exited && kill.kill(pid, signal));
            }
            return !exited && kill.kill(pid, signal);
        } catch (ErrnoException e) {
            LOG.log(Level.DEBUG, () -> "Failed to send SIG" + Signals.name(signal) + " to " + pid + ": "
                    + e.reason());
            return false;
        }
    }

    /** Whether any process is left in the group (the leader may be gone while its children run on). */
    boolean groupAlive() {
        return signal(0, true);
    }
}
