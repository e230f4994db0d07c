package dev.sockact.daemon;

import dev.sockact.activation.ListenFds;
import dev.sockact.posix.ErrnoException;
import dev.sockact.posix.Processes;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;

/** What the daemon tests' services do first: check that LISTEN_PID is their own pid, then take the passed fds. */
final class ActivatedFds {
    private ActivatedFds() {
    }

    /** The passed fds; on a wrong LISTEN_PID, says so on {@code complaints} and exits 2. */
    static List<ListenFds.Passed> takeOrExit(Map<String, String> env, PrintStream complaints)
            throws ListenFds.MalformedException, ErrnoException {
        int pid = Processes.pid();
        if (!Integer.toString(pid).equals(env.get("LISTEN_PID"))) {
            complaints.println("LISTEN_PID=" + env.get("LISTEN_PID") + " is not my pid " + pid);
            System.exit(2);
        }
        return ListenFds.fromEnvironment(env, pid);
    }
}
