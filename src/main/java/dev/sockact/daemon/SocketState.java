package dev.sockact.daemon;

/**
 * The states of a socket unit (socket_state_table in systemd 252), each with its ActiveState= (the
 * state_translation_table) and whether its fds are open.
 */
public enum SocketState {
    DEAD("dead", ActiveState.INACTIVE),
    START_PRE("start-pre", ActiveState.ACTIVATING),
    START_CHOWN("start-chown", ActiveState.ACTIVATING),
    START_POST("start-post", ActiveState.ACTIVATING),
    LISTENING("listening", ActiveState.ACTIVE),
    RUNNING("running", ActiveState.ACTIVE),
    STOP_PRE("stop-pre", ActiveState.DEACTIVATING),
    STOP_PRE_SIGTERM("stop-pre-sigterm", ActiveState.DEACTIVATING),
    STOP_PRE_SIGKILL("stop-pre-sigkill", ActiveState.DEACTIVATING),
    STOP_POST("stop-post", ActiveState.DEACTIVATING),
    FINAL_SIGTERM("final-sigterm", ActiveState.DEACTIVATING),
    FINAL_SIGKILL("final-sigkill", ActiveState.DEACTIVATING),
    FAILED("failed", ActiveState.FAILED);

    private final String text;
    private final ActiveState active;

    SocketState(String text, ActiveState active) {
        this.text = text;
        this.active = active;
    }

    public String text() {
        return text;
    }

    public ActiveState activeState() {
        return active;
    }

    /** States in which a control process (ExecStartPre= ... ExecStopPost=) may run, so its timer stays. */
    public boolean hasControlProcess() {
        return switch (this) {
            case START_PRE, START_CHOWN, START_POST, STOP_PRE, STOP_PRE_SIGTERM, STOP_PRE_SIGKILL, STOP_POST,
                 FINAL_SIGTERM, FINAL_SIGKILL -> true;
            default -> false;
        };
    }

    /** Dead or failed: no job's work left, a start may begin. */
    public boolean isInactive() {
        return this == DEAD || this == FAILED;
    }

    /** States that keep the fds open (socket_set_state() closes them otherwise). */
    public boolean keepsFdsOpen() {
        return switch (this) {
            case START_CHOWN, START_POST, LISTENING, RUNNING, STOP_PRE, STOP_PRE_SIGTERM, STOP_PRE_SIGKILL -> true;
            default -> false;
        };
    }

    @Override
    public String toString() {
        return text;
    }
}
