package dev.sockact.unit.parse;

/**
 * A value a directive cannot use. The message is the whole diagnostic text, in systemd's wording where systemd has
 * one (most end in ", ignoring: VALUE").
 */
public final class InvalidValueException extends Exception {

    private static final long serialVersionUID = 1L;

    private final boolean fatal;

    private InvalidValueException(String message, boolean fatal) {
        super(message, null, false, false);
        this.fatal = fatal;
    }

    /** The line is ignored and the unit still loads. */
    public static InvalidValueException ignoring(String message) {
        return new InvalidValueException(message, false);
    }

    /** The unit does not load, and systemd stops reading the file at this line. */
    public static InvalidValueException fatal(String message) {
        return new InvalidValueException(message, true);
    }

    public boolean isFatal() {
        return fatal;
    }
}
