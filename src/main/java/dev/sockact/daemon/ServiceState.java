package dev.sockact.daemon;

/** The states of a service unit sockactd uses (service_state_table), with their ActiveState=. */
public enum ServiceState {
    DEAD("dead", ActiveState.INACTIVE),
    START_PRE("start-pre", ActiveState.ACTIVATING),
    START("start", ActiveState.ACTIVATING),
    START_POST("start-post", ActiveState.ACTIVATING),
    RUNNING("running", ActiveState.ACTIVE),
    EXITED("exited", ActiveState.ACTIVE),
    RELOAD("reload", ActiveState.RELOADING),
    STOP("stop", ActiveState.DEACTIVATING),
    STOP_SIGTERM("stop-sigterm", ActiveState.DEACTIVATING),
    STOP_SIGKILL("stop-sigkill", ActiveState.DEACTIVATING),
    STOP_POST("stop-post", ActiveState.DEACTIVATING),
    FINAL_SIGTERM("final-sigterm", ActiveState.DEACTIVATING),
    FINAL_SIGKILL("final-sigkill", ActiveState.DEACTIVATING),
    FAILED("failed", ActiveState.FAILED),
    AUTO_RESTART("auto-restart", ActiveState.ACTIVATING);

    private final String text;
    private final ActiveState active;

    ServiceState(String text, ActiveState active) {
        this.text = text;
        this.active = active;
    }

    public String text() {
        return text;
    }

    public ActiveState activeState() {
        return active;
    }

    /** Whether the state's timer is TimeoutStartSec= (else TimeoutStopSec=). */
    public boolean isStarting() {
        return this == START_PRE || this == START || this == START_POST;
    }

    /** The states after which a socket that triggered the service listens again (socket_trigger_notify()). */
    public boolean releasesSocket() {
        return this == DEAD || this == FAILED || this == FINAL_SIGTERM || this == FINAL_SIGKILL
                || this == AUTO_RESTART;
    }

    public boolean isInactive() {
        return this == DEAD || this == FAILED;
    }

    @Override
    public String toString() {
        return text;
    }
}
