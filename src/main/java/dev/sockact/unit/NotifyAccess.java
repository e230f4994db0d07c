package dev.sockact.unit;

/** NotifyAccess=: which of the service's processes may send sd_notify messages. */
public enum NotifyAccess {
    NONE("none"),
    MAIN("main"),
    EXEC("exec"),
    ALL("all");

    private final String text;

    NotifyAccess(String text) {
        this.text = text;
    }

    /** The unit-file word ("main"). */
    public String text() {
        return text;
    }

    /** Whether the service gets a $NOTIFY_SOCKET at all. */
    public boolean acceptsMessages() {
        return this != NONE;
    }
}
