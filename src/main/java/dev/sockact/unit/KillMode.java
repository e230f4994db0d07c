package dev.sockact.unit;

/**
 * KillMode=: which processes a stop signals. Without cgroups, a service's "control group" is the process groups of
 * the processes sockactd started for it. Control processes are always signalled.
 */
public enum KillMode {
    /** Every process group of the service, with both the stop signal and SIGKILL. */
    CONTROL_GROUP("control-group"),
    /** The main process only with the stop signal; every process group with SIGKILL. */
    MIXED("mixed"),
    /** The main process only. */
    PROCESS("process"),
    /** No process but control processes. */
    NONE("none");

    private final String text;

    KillMode(String text) {
        this.text = text;
    }

    /** The unit-file word ("control-group"). */
    public String text() {
        return text;
    }

    /** Whether the whole process groups get the signal (SIGKILL when {@code kill}, else the stop signal). */
    public boolean signalsGroups(boolean kill) {
        return this == CONTROL_GROUP || (this == MIXED && kill);
    }

    /** Whether the main process gets the signal. */
    public boolean signalsMainProcess() {
        return this != NONE;
    }

    /** Whether a stop waits until the service's process groups are empty, not only for its main process. */
    public boolean waitsForGroups() {
        return this == CONTROL_GROUP || this == MIXED;
    }
}
