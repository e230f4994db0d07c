package dev.sockact.unit;

/** Type=: how the service manager learns that the service has started. */
public enum ServiceType {
    /** Started once the main process is spawned. */
    SIMPLE("simple"),
    /** Started once the main program has been executed (sockactd spawns with posix_spawn, which reports that). */
    EXEC("exec"),
    /** Started once the spawned parent has exited; the main process is the one PIDFile= names. */
    FORKING("forking"),
    /** Started once the main processes, one after the other, have exited. */
    ONESHOT("oneshot"),
    /** A bus name is not waited for by sockactd: started as for exec. */
    DBUS("dbus"),
    /** Started once the service sends READY=1 to $NOTIFY_SOCKET. */
    NOTIFY("notify"),
    /** As simple: sockactd has no job queue to wait on. */
    IDLE("idle");

    private final String text;

    ServiceType(String text) {
        this.text = text;
    }

    /** The unit-file word ("notify"). */
    public String text() {
        return text;
    }

    public boolean isNotify() {
        return this == NOTIFY;
    }

    public boolean isOneshot() {
        return this == ONESHOT;
    }

    public boolean isForking() {
        return this == FORKING;
    }

    /**
     * Whether the service counts as started as soon as its main process is spawned (every type that does not wait
     * for READY=1, for the parent's exit or for the processes' exit).
     */
    public boolean startedOnceSpawned() {
        return this != NOTIFY && this != ONESHOT && this != FORKING;
    }

    /**
     * is_clean_exit()'s choice: the main process of a daemon (every type but oneshot) also ends cleanly when SIGHUP,
     * SIGINT, SIGTERM or SIGPIPE kills it; a oneshot's only on exit code 0.
     */
    public boolean isDaemon() {
        return this != ONESHOT;
    }
}
