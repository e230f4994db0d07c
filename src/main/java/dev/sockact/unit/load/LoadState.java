package dev.sockact.unit.load;

/** systemd's load states, as {@code systemctl show -p LoadState} names them. */
public enum LoadState {
    /** The unit loaded; warnings may still have been given. */
    LOADED("loaded"),
    /** No fragment in any unit directory. */
    NOT_FOUND("not-found"),
    /** The files parsed, but a setting (or a combination) is invalid. */
    BAD_SETTING("bad-setting"),
    /** The files could not be parsed (invalid section header, line too long, unreadable). */
    ERROR("error"),
    /** The fragment is a symlink to /dev/null or empty. */
    MASKED("masked");

    private final String text;

    LoadState(String text) {
        this.text = text;
    }

    public String text() {
        return text;
    }
}
