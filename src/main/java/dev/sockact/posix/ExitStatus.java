package dev.sockact.posix;

/**
 * How a child ended: an exit code, or the signal that killed it.
 *
 * @param pid    the child
 * @param code   the exit code, when {@code signal} is 0
 * @param signal the killing signal, or 0
 * @param dumped whether it dumped core
 */
public record ExitStatus(int pid, int code, int signal, boolean dumped) {
    public static ExitStatus exited(int pid, int code) {
        return new ExitStatus(pid, code, 0, false);
    }

    public static ExitStatus killed(int pid, int signal, boolean dumped) {
        return new ExitStatus(pid, 0, signal, dumped);
    }

    public boolean success() {
        return signal == 0 && code == 0;
    }

    /** The shell's convention: the code, or 128 + signal. */
    public int shellStatus() {
        return signal != 0 ? 128 + signal : code;
    }

    /** systemd's wording: "status=3/NOTIMPLEMENTED" style is reduced to "code=exited, status=3" or "code=killed, signal=TERM". */
    @Override
    public String toString() {
        return signal == 0 ? "code=exited, status=" + code
                : "code=" + (dumped ? "dumped" : "killed") + ", signal=" + Signals.name(signal);
    }
}
