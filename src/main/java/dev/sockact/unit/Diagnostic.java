package dev.sockact.unit;

import java.nio.file.Path;

/**
 * One finding about a unit file, as a value: the loader never logs, callers print or show these.
 *
 * @param file     the file the finding is about, or {@code null} for a unit-level finding
 * @param line     1-based line number, or 0 for a unit-level finding
 * @param unit     the unit being loaded (e.g. {@code foo.socket})
 * @param section  the section the line was in, or {@code null}
 * @param key      the key of the assignment, or {@code null}
 * @param severity whether the unit still loads
 * @param message  systemd's wording where systemd has one
 */
public record Diagnostic(Path file, int line, String unit, String section, String key,
                         Severity severity, Origin origin, String message) {

    /** Whether systemd reports the same thing, or only sockact does. */
    public enum Origin {
        /** systemd gives this diagnostic too, with this wording. */
        SYSTEMD,
        /** sockact-only: a setting sockact ignores, or a spelling systemd would reject that sockact accepts. */
        SOCKACT
    }

    /** Whether the finding stops the unit from loading. */
    public enum Severity {
        /** The line or value is ignored and loading continues. */
        WARNING,
        /** The unit does not load. */
        ERROR
    }

    public static Diagnostic unitLevel(String unit, Severity severity, String message) {
        return new Diagnostic(null, 0, unit, null, null, severity, Origin.SYSTEMD, message);
    }

    public boolean isSockactOnly() {
        return origin == Origin.SOCKACT;
    }

    public boolean isError() {
        return severity == Severity.ERROR;
    }

    /** {@code PATH:LINE: message} for a line, {@code UNIT: message} for the unit, as systemd-analyze prints them. */
    public String format() {
        return file == null ? unit + ": " + message : file + ":" + line + ": " + message;
    }

    @Override
    public String toString() {
        return format();
    }
}
