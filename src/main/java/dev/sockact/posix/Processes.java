package dev.sockact.posix;

import static dev.sockact.posix.Layouts.INT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

/** Our own process: ids, kill, and replacing ourselves with another program (execve). */
public final class Processes {
    private static final int CLOSE_RANGE_CLOEXEC = 1 << 2;
    private static final int SIG_SETMASK = 2;
    private static final long SIG_IGN = 1;
    private static final long SIG_DFL = 0;
    /** struct sigaction is 152 bytes on x86_64 glibc; the handler pointer comes first. */
    private static final long SIGACTION_SIZE = 256;
    /** The kernel's struct sigaction (handler, flags, restorer, mask) and its sigset size, x86_64 and aarch64. */
    private static final long KERNEL_SIGACTION_SIZE = 32;
    private static final long KERNEL_SIGSET_SIZE = 8;

    private Processes() {
        throw new AssertionError();
    }

    /** In {@link LibcCall}'s shape: socket-activate's exec, on its activation path, links no stub of its own. */
    private static final class Exec {
        static final LibcCall SIGACTION = LibcCall.of("sigaction");
        static final LibcCall SIGNAL = LibcCall.of("signal");
        static final LibcCall SIGMASK = LibcCall.of("pthread_sigmask");
        static final LibcCall SIGEMPTYSET = LibcCall.of("sigemptyset");
    }

    /**
     * Sets {@code signal} back to its default disposition if it is ignored; a handled signal is left alone. A
     * process started with a signal ignored (under nohup, SIGHUP; as a background job of a script, SIGINT) keeps it
     * ignored, and the JVM then declines to install a handler for it: sockactd would silently drop a SIGHUP reload.
     */
    public static void unignore(int signal) {
        // rt_sigaction through syscall(2), not libc's sigaction: socket-proxyd calls this at start-up, where linking
        // another downcall costs milliseconds. The kernel's struct sigaction starts with the handler; zeroed is SIG_DFL.
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment old = arena.allocate(KERNEL_SIGACTION_SIZE, 8);
            long r = Native.sys(Syscalls.RT_SIGACTION, signal, 0, old.address(), KERNEL_SIGSET_SIZE);
            if (r == 0 && old.get(ValueLayout.JAVA_LONG, 0) == SIG_IGN) {
                MemorySegment dfl = arena.allocate(KERNEL_SIGACTION_SIZE, 8);
                Native.sys(Syscalls.RT_SIGACTION, signal, dfl.address(), 0, KERNEL_SIGSET_SIZE);
            }
        }
    }

    public static int pid() {
        return (int) Native.sys(Syscalls.GETPID);
    }

    private static final int RLIMIT_NOFILE = 7;

    /** Our soft RLIMIT_NOFILE (the bound an EMFILE hit), or -1 when it cannot be read. */
    public static long openFilesLimit() {
        long[] limit = resourceLimit(RLIMIT_NOFILE);
        return limit == null ? -1 : limit[0];
    }

    /** getrlimit(2) of sockactd itself: {soft, hard}, RLIM_INFINITY as -1; null when it cannot be read. */
    public static long[] resourceLimit(int resource) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment limit = arena.allocate(16, 8);   // struct rlimit64 { rlim_cur, rlim_max }
            long r = Native.sys(Syscalls.PRLIMIT64, 0, resource, 0, limit.address());
            return r < 0 ? null
                    : new long[] {limit.get(ValueLayout.JAVA_LONG, 0), limit.get(ValueLayout.JAVA_LONG, 8)};
        }
    }

    public static int uid() {
        return (int) Native.sys(Syscalls.GETUID);
    }

    public static int gid() {
        return (int) Native.sys(Syscalls.GETGID);
    }

    private static final int PR_SET_CHILD_SUBREAPER = 36;
    private static final int P_PID = 1;
    private static final int WEXITED = 4;
    private static final int WNOHANG = 1;

    /**
     * prctl(PR_SET_CHILD_SUBREAPER): orphaned descendants (a daemon whose parent exited) are reparented to us
     * rather than to init, so that we can wait for them and must reap them.
     */
    public static void becomeChildSubreaper() throws ErrnoException {
        long r = Native.sys(Syscalls.PRCTL, PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
        if (r < 0) {
            throw new ErrnoException("prctl", (int) -r, "PR_SET_CHILD_SUBREAPER");
        }
    }

    /** Reaps the child {@code pid} if it has exited (waitid P_PID, WNOHANG); false while it runs or is not ours. */
    public static boolean reap(int pid) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = arena.allocate(128);
            long r;
            do {
                r = Native.sys(Syscalls.WAITID, P_PID, pid, info.address(), WEXITED | WNOHANG, 0);
            } while (r == -Errno.EINTR.number());
            return r == 0 && info.get(Layouts.INT, 16) == pid;
        }
    }

    /** Waits for the child {@code pid} to exit and reaps it (for a child that is about to exit; no timeout). */
    static void await(int pid) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = arena.allocate(128);
            long r;
            do {
                r = Native.sys(Syscalls.WAITID, P_PID, pid, info.address(), WEXITED, 0);
            } while (r == -Errno.EINTR.number());
        }
    }

    /** kill(2); false when the process is already gone (ESRCH). */
    public static boolean kill(int pid, int signal) throws ErrnoException {
        long r = Native.sys(Syscalls.KILL, pid, signal);
        if (r < 0) {
            if (r == -Errno.ESRCH.number()) {
                return false;
            }
            throw new ErrnoException("kill", (int) -r, "pid " + pid);
        }
        return true;
    }

    /**
     * Replaces this process with {@code program}, keeping our pid (so LISTEN_PID
     * can be set beforehand), with {@code fds} at 3.. (or, when {@code onStdio},
     * the single fd on stdin and stdout, inetd-style), every other descriptor
     * above them closed on exec, ignored signals reset and an empty signal mask.
     * Returns only on failure. Once the descriptors have been placed this JVM
     * must not load classes from its jar, so everything used after that point is
     * prepared first; a failure leaves the process fit only to report and exit.
     */
    public static ErrnoException execute(String program, List<String> argv, List<String> environment, List<Fd> fds,
                                         boolean onStdio) {
        Errno refused = PosixFiles.execRefusal(program);
        if (refused != null) {
            return new ErrnoException("execve", refused.number(), program);
        }
        // Prepared before the point of no return: argv/envp in native memory, every handle linked,
        // the failure's exception class and strerror text loaded.
        Arena arena = Arena.global();
        MemorySegment path = arena.allocateFrom(program);
        MemorySegment nativeArgv = Spawner.stringArray(arena, argv);
        MemorySegment nativeEnv = Spawner.stringArray(arena, environment);
        MemorySegment action = arena.allocate(SIGACTION_SIZE, 8);
        MemorySegment emptySet = arena.allocate(128, 8);
        ErrnoException prepared = new ErrnoException("execve", Errno.ENOEXEC.number(), program);
        LibcCall unused = Exec.SIGACTION;
        try {
            int n = onStdio ? 0 : fds.size();
            int[] moved = new int[fds.size()];
            for (int i = 0; i < moved.length; i++) {
                moved[i] = Io.duplicate(fds.get(i).fd(), 3 + n).take();
            }
            int[] targets = onStdio ? new int[] {0, 1} : null;
            for (int i = 0; i < (onStdio ? 2 : n); i++) {
                int source = onStdio ? moved[0] : moved[i];
                int target = onStdio ? targets[i] : 3 + i;
                // dup2 clears CLOEXEC on the target: exactly these survive the exec.
                long r = Native.sys(Syscalls.DUP3, source, target, 0);
                if (r < 0) {
                    return new ErrnoException("dup3", (int) -r, "fd " + target);
                }
            }
            long closed = Native.sys(Syscalls.CLOSE_RANGE, 3 + n, 0xffffffffL, CLOSE_RANGE_CLOEXEC);
            if (closed < 0) {
                return new ErrnoException("close_range", (int) -closed, null);
            }
            for (int signal = 1; signal < 65; signal++) {
                if (signal == Signals.SIGKILL || signal == 19 || signal == 32 || signal == 33) {
                    continue;
                }
                int r = Exec.SIGACTION.call(signal, 0, action.address());
                // Handlers reset themselves on exec; only an ignored disposition would be inherited.
                if (r == 0 && action.get(ValueLayout.JAVA_LONG, 0) == SIG_IGN) {
                    Exec.SIGNAL.call(signal, SIG_DFL);
                }
            }
            Exec.SIGEMPTYSET.call(emptySet.address());
            Exec.SIGMASK.call(SIG_SETMASK, emptySet.address(), 0);
            long r = Native.sys(Syscalls.EXECVE, path.address(), nativeArgv.address(), nativeEnv.address());
            return r < 0 ? new ErrnoException("execve", (int) -r, program) : prepared;
        } catch (ErrnoException e) {
            return e;
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }
}
