package dev.sockact.text;

/**
 * Linux signal names without the SIG prefix ("TERM") and their numbers, x86_64 and aarch64: the one table the unit
 * parser (KillSignal=, SuccessExitStatus=), the daemon (which signal to send) and the native layer (how an exit is
 * printed) share.
 */
public final class SignalNames {
    private static final String[] NAMES = {null, "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL",
        "USR1", "SEGV", "USR2", "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU",
        "URG", "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS"};
    private static final int IO = 29;
    private static final int RTMIN = 34;
    private static final int RTMAX = 64;

    private SignalNames() {
        throw new AssertionError();
    }

    /** "TERM" for 15; real-time signals as systemd prints them ("RTMIN+3"). */
    public static String name(int signal) {
        return signal > 0 && signal < NAMES.length ? NAMES[signal] : "RTMIN+" + (signal - RTMIN);
    }

    /**
     * The number of a signal named with or without "SIG": a classic name, POLL (IO's other name), RTMIN, RTMIN+n,
     * RTMAX, RTMAX-n; 0 when it names none.
     */
    public static int number(String name) {
        String s = name.startsWith("SIG") ? name.substring(3) : name;
        for (int i = 1; i < NAMES.length; i++) {
            if (NAMES[i].equals(s)) {
                return i;
            }
        }
        if (s.equals("POLL")) {
            return IO;
        }
        int n = realTime(s, "RTMIN", '+', RTMIN, 1);
        return n != 0 ? n : realTime(s, "RTMAX", '-', RTMAX, -1);
    }

    private static int realTime(String s, String base, char sign, int origin, int direction) {
        if (!s.startsWith(base)) {
            return 0;
        }
        if (s.length() == base.length()) {
            return origin;
        }
        String offset = s.substring(base.length() + 1);
        if (s.charAt(base.length()) != sign || offset.isEmpty() || !offset.chars().allMatch(Character::isDigit)
                || offset.length() > 2) {
            return 0;
        }
        int n = origin + direction * Integer.parseInt(offset);
        return n >= RTMIN && n <= RTMAX ? n : 0;
    }
}
