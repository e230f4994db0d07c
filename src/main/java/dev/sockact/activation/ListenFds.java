package dev.sockact.activation;

import dev.sockact.posix.ErrnoException;
import dev.sockact.posix.Fd;
import dev.sockact.posix.Io;
import dev.sockact.posix.Pidfd;
import dev.sockact.posix.Sockets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The receiving side of the LISTEN_FDS protocol: a port of sd_listen_fds(3)
 * and sd_listen_fds_with_names(3).
 *
 * <p>Returns nothing when LISTEN_PID is unset or names another process (the
 * variables were meant for a parent), or LISTEN_PIDFDID (systemd 259) names
 * another process that had our pid, fails when LISTEN_FDS or LISTEN_FDNAMES
 * is malformed. The descriptors are marked CLOEXEC, so they go to our
 * children only when we pass them on purpose. The JVM cannot unsetenv, so
 * whoever spawns children strips LISTEN_* from the child's environment
 * ({@link ListenEnvironment}).
 */
public final class ListenFds {
    /** The first passed descriptor: SD_LISTEN_FDS_START. */
    public static final int START = 3;

    /**
     * One passed descriptor, its name ("unknown" when none was given), and what it is, read
     * from the fd as sd_is_socket() does: its SO_TYPE (0 when it is not a socket) and
     * whether it listens (SO_ACCEPTCONN).
     */
    public record Passed(Fd fd, String name, int socketType, boolean listening) {
        /** sd_is_socket(fd, AF_UNSPEC, SOCK_STREAM, 1): what socket-proxyd accepts. */
        public boolean isListeningStream() {
            return socketType == Sockets.SOCK_STREAM && listening;
        }
    }

    private ListenFds() {
        throw new AssertionError();
    }

    /** Malformed LISTEN_* variables: sd_listen_fds would return -EINVAL. */
    public static final class MalformedException extends Exception {
        private static final long serialVersionUID = 1L;

        MalformedException(String message) {
            super(message);
        }
    }

    public static List<Passed> fromEnvironment(Map<String, String> environment, int ownPid)
            throws MalformedException, ErrnoException {
        String pid = environment.get("LISTEN_PID");
        if (pid == null) {
            return List.of();
        }
        int expected;
        try {
            expected = Integer.parseInt(pid);
        } catch (NumberFormatException e) {
            throw new MalformedException("LISTEN_PID=" + pid + " is not a pid");
        }
        if (expected != ownPid) {
            return List.of();
        }
        if (!pidfdIdIsOurs(environment.get("LISTEN_PIDFDID"), ownPid)) {
            return List.of();   // the pid was reused: these variables were meant for a process before us
        }
        String count = environment.get("LISTEN_FDS");
        if (count == null) {
            return List.of();
        }
        int n;
        try {
            n = Integer.parseInt(count);
        } catch (NumberFormatException e) {
            throw new MalformedException("LISTEN_FDS=" + count + " is not a number");
        }
        if (n <= 0) {
            throw new MalformedException("LISTEN_FDS=" + count + " must be positive");
        }
        List<String> names = names(environment.get("LISTEN_FDNAMES"), n);
        List<Passed> passed = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int fd = START + i;
            Io.setCloseOnExec(fd, true);
            passed.add(new Passed(Fd.adopt(fd), names.get(i), socketType(fd), isListening(fd)));
        }
        return passed;
    }

    /**
     * systemd 259: LISTEN_PIDFDID, when set, is the pidfd inode ID of the process LISTEN_PID meant. Where pidfds
     * have no IDs (no pidfs) it cannot be checked and the pid alone decides, as sd_listen_fds() does.
     */
    private static boolean pidfdIdIsOurs(String value, int ownPid) throws MalformedException {
        if (value == null) {
            return true;
        }
        long expected;
        try {
            expected = Long.parseUnsignedLong(value);
        } catch (NumberFormatException e) {
            throw new MalformedException("LISTEN_PIDFDID=" + value + " is not a pidfd ID");
        }
        OptionalLong own = Pidfd.inodeId(ownPid);
        return own.isEmpty() || own.getAsLong() == expected;
    }

    private static int socketType(int fd) {
        try {
            return Sockets.type(fd);
        } catch (ErrnoException e) {
            return 0;   // ENOTSOCK: a FIFO, a special file, a message queue
        }
    }

    private static boolean isListening(int fd) {
        try {
            return Sockets.isListening(fd);
        } catch (ErrnoException e) {
            return false;
        }
    }

    private static List<String> names(String joined, int n) throws MalformedException {
        if (joined == null) {
            return Collections.nCopies(n, "unknown");
        }
        List<String> names = List.of(joined.split(":", -1));
        if (names.size() != n) {
            throw new MalformedException("LISTEN_FDNAMES names " + names.size() + " descriptors but LISTEN_FDS is " + n);
        }
        return names;
    }
}
