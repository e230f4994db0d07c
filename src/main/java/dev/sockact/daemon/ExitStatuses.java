package dev.sockact.daemon;

import dev.sockact.posix.ExitStatus;
import dev.sockact.posix.Signals;
import dev.sockact.text.ExitStatusNames;
import dev.sockact.unit.ExecCommand;
import dev.sockact.unit.ExitStatusSet;

import java.lang.System.Logger.Level;

/** How systemd prints and judges an exit status ("code=exited, status=1/FAILURE"). */
final class ExitStatuses {
    private static final System.Logger LOG = System.getLogger("sockactd");
    /** EXIT_EXEC: what systemd's child exits with when exec fails; posix_spawn tells us directly. */
    static final int EXIT_EXEC = ExitStatusNames.code("EXEC");
    /** Passing the fds failed (OpenFile=): 202/FDS. */
    static final int EXIT_FDS = ExitStatusNames.code("FDS");

    private ExitStatuses() {
        throw new AssertionError();
    }

    /**
     * "code=exited, status=255/EXCEPTION", "code=killed, status=15/TERM": an exit code with its name where systemd
     * has one (every class: libc, LSB, BSD, systemd's own), a signal with its name.
     */
    static String describe(ExitStatus status) {
        if (status.signal() != 0) {
            return "code=" + (status.dumped() ? "dumped" : "killed") + ", status=" + status.signal() + "/"
                    + Signals.name(status.signal());
        }
        String name = ExitStatusNames.name(status.code());
        return "code=exited, status=" + status.code() + (name == null ? "" : "/" + name);
    }

    /** Whether SuccessExitStatus= (or RestartPreventExitStatus=) names this status: its exit code or its signal. */
    static boolean listed(ExitStatus status, ExitStatusSet set) {
        return status.signal() == 0 ? set.containsCode(status.code()) : set.containsSignal(status.signal());
    }

    /**
     * is_clean_exit(): exit code 0; for a daemon's main process also death by SIGHUP, SIGINT, SIGTERM or SIGPIPE
     * (the signals a stop sends).
     */
    static boolean clean(ExitStatus status, boolean daemon) {
        if (status.signal() == 0) {
            return status.code() == 0;
        }
        return daemon && (status.signal() == Signals.SIGHUP || status.signal() == Signals.SIGINT
                || status.signal() == Signals.SIGTERM || status.signal() == Signals.SIGPIPE);
    }

    /**
     * Whether a control process's exit lets the unit go on: clean, or failed with the {@code -} prefix. A failure
     * is logged ("foo.service: Control process exited, code=exited, status=1/FAILURE").
     */
    static boolean controlSucceeded(String unit, ExecCommand command, ExitStatus status) {
        boolean clean = clean(status, false);
        boolean ignore = command != null && command.ignoresFailure();
        if (!clean) {
            LOG.log(Level.INFO, unit + ": Control process exited, " + describe(status) + (ignore ? " (ignoring)" : ""));
        }
        return clean || ignore;
    }

    static ServiceResult serviceResult(ExitStatus status) {
        return status.signal() == 0 ? ServiceResult.EXIT_CODE
                : status.dumped() ? ServiceResult.CORE_DUMP : ServiceResult.SIGNAL;
    }

    static SocketResult socketResult(ExitStatus status) {
        return status.signal() == 0 ? SocketResult.EXIT_CODE
                : status.dumped() ? SocketResult.CORE_DUMP : SocketResult.SIGNAL;
    }
}
