package dev.sockact.posix;

import dev.sockact.text.SignalNames;

/** Signal numbers (x86_64/aarch64 Linux) and their short names, as systemd prints them ("TERM"). */
public final class Signals {
    public static final int SIGHUP = 1;
    public static final int SIGINT = 2;
    public static final int SIGQUIT = 3;
    public static final int SIGKILL = 9;
    public static final int SIGPIPE = 13;
    public static final int SIGALRM = 14;
    public static final int SIGTERM = 15;
    public static final int SIGCHLD = 17;
    public static final int SIGCONT = 18;
    public static final int SIGSTOP = 19;

    private Signals() {
        throw new AssertionError();
    }

    public static String name(int signal) {
        return SignalNames.name(signal);
    }
}
