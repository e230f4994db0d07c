package dev.sockact.unit;

import java.util.List;

/**
 * SyslogLevel= and SyslogLevelPrefix=: the priority of a service's output lines, and whether a line's own
 * {@code <N>} prefix (sd-daemon(3)'s {@code SD_ERR} and friends) overrides it.
 *
 * @param priority 0 (emerg) .. 7 (debug), default {@link #INFO}
 * @param prefix   whether {@code <N>} at the start of a line sets that line's priority and is removed
 */
public record SyslogLevel(int priority, boolean prefix) {
    public static final int INFO = 6;
    private static final List<String> NAMES = List.of("emerg", "alert", "crit", "err", "warning", "notice", "info",
            "debug");

    public SyslogLevel {
        if (priority < 0 || priority > 7) {
            throw new IllegalArgumentException("syslog priority " + priority + " is not in 0..7");
        }
    }

    /** log_level_from_string(): a name ("err") or a number 0..7; -1 when it is neither. */
    public static int parse(String text) {
        int named = NAMES.indexOf(text);
        if (named >= 0) {
            return named;
        }
        return text.length() == 1 && text.charAt(0) >= '0' && text.charAt(0) <= '7' ? text.charAt(0) - '0' : -1;
    }

    /** The priority's name, as SyslogLevel= and systemctl show write it ("info"). */
    public static String name(int priority) {
        return NAMES.get(priority);
    }
}
