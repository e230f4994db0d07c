package dev.sockact.daemon;

import dev.sockact.posix.ExitStatus;
import dev.sockact.posix.Signals;

/** How systemd prints and judges an exit status ("code=exited, status=1/FAILURE"). */
final class ExitStatuses {
    /** EXIT_EXEC: what systemd's child exits with when exec fails; posix_spawn tells us directly. */
    static final int EXIT_EXEC = 203;

    private ExitStatuses() {
        throw new AssertionError();
    }

    static String describe(ExitStatus status) {
        if (status.signal() != 0) {
            return "code=" + (status.dumped() ? "dumped" : "killed") + ", status=" + status.signal() + "/"
                    + Signals.name(status.signal());
        }
        String name = switch (status.code()) {
            case 0 -> "SUCCESS";
            case 1 -> "FAILURE";
            case 2 -> "INVALIDARGUMENT";
            case 3 -> "NOTIMPLEMENTED";
            case 4 -> "NOPERMISSION";
            case 5 -> "NOTINSTALLED";
            case 6 -> "NOTCONFIGURED";
            case 7 -> "NOTRUNNING";
            case 200 -> "CHDIR";
            case 203 -> "EXEC";
            case 216 -> "GROUP";
            case 217 -> "USER";
            case 225 -> "NETWORK";
            case 226 -> "NAMESPACE";
            default -> null;
        };
        return "code=exited, status=" + status.code() + (name == null ? "" : "/" + name);
    }

    /** Whether SuccessExitStatus= names this status: its exit code ("75") or its signal ("SIGUSR1", "SIG10"). */
    static boolean listed(ExitStatus status, java.util.List<String> successExitStatus) {
        if (status.signal() == 0) {
            return successExitStatus.contains(Integer.toString(status.code()));
        }
        return successExitStatus.contains("SIG" + Signals.name(status.signal()))
                || successExitStatus.contains("SIG" + status.signal());
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
    static boolean controlSucceeded(String unit, dev.sockact.unit.ExecCommand command, ExitStatus status) {
        boolean clean = clean(status, false);
        boolean ignore = command != null && command.ignoresFailure();
        if (!clean) {
            System.getLogger("sockactd").log(System.Logger.Level.INFO, unit + ": Control process exited, "
                    + describe(status) + (ignore ? " (ignoring)" : ""));
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
