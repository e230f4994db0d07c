package dev.sockact.posix;

import static dev.sockact.posix.Layouts.INT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A process descriptor (pidfd_open): readable when the child exits, so the
 * event loop watches children like sockets, and signals go to the right
 * process even after its pid is reused.
 */
public final class Pidfd implements AutoCloseable {
    private static final int P_PIDFD = 3;
    private static final int WEXITED = 4;
    private static final int WNOHANG = 1;
    /** si_code values of a SIGCHLD siginfo. */
    private static final int CLD_EXITED = 1;
    private static final int CLD_KILLED = 2;
    private static final int CLD_DUMPED = 3;

    /**
     * The pids someone holds a pidfd for, with how many: their owners reap them. A subreaper that reaps orphans
     * leaves these alone, so it never steals a watched child's exit status.
     */
    private static final ConcurrentHashMap<Integer, Integer> OPEN =
            new ConcurrentHashMap<>();

    private final Fd fd;
    private final int pid;
    private final AtomicBoolean counted = new AtomicBoolean(true);

    private Pidfd(Fd fd, int pid) {
        this.fd = fd;
        this.pid = pid;
    }

    /** Opens a pidfd for our child {@code pid} (pidfds are always CLOEXEC). Works on a zombie too. */
    public static Pidfd open(int pid) throws ErrnoException {
        long fd = Native.sys(Syscalls.PIDFD_OPEN, pid, 0);
        if (fd < 0) {
            throw new ErrnoException("pidfd_open", (int) -fd, "pid " + pid);
        }
        OPEN.merge(pid, 1, Integer::sum);
        return new Pidfd(Fd.adopt((int) fd), pid);
    }

    /** Whether a pidfd for {@code pid} is open in this process (its owner waits for it). */
    public static boolean watched(int pid) {
        return OPEN.containsKey(pid);
    }

    public int fd() {
        return fd.fd();
    }

    /** st_ino sits after the 8-byte st_dev in x86_64's struct stat and in asm-generic's (aarch64). */
    private static final long ST_INO_OFFSET = 8;
    /** Larger than either struct stat (144 and 128 bytes). */
    private static final long STAT_SIZE = 256;
    /** Whether pidfds have an inode of their own per process (pidfs, Linux 6.9), tested once. */
    private static volatile Boolean uniqueInodes;

    /**
     * The inode number of a pidfd for {@code pid} (systemd's pidfd ID: $LISTEN_PIDFDID, $MAINPIDFDID), or empty
     * where pidfds have no inode of their own (before pidfs, every pidfd was the one anonymous inode) or the
     * process is gone. Opens and closes its own pidfd, which {@link #watched} does not count.
     */
    public static OptionalLong inodeId(int pid) {
        if (!hasUniqueInodes()) {
            return OptionalLong.empty();
        }
        long id = rawInode(pid);
        return id > 0 ? OptionalLong.of(id) : OptionalLong.empty();
    }

    /**
     * Two processes' pidfds have different inode numbers only with pidfs. Tested once; {@link Spawner} asks it for
     * every spawn that sets LISTEN_PID.
     */
    static boolean hasUniqueInodes() {
        Boolean known = uniqueInodes;
        if (known == null) {
            long self = rawInode((int) Native.sys(Syscalls.GETPID));
            long parent = rawInode((int) Native.sys(Syscalls.GETPPID));
            known = self > 0 && parent > 0 && self != parent;
            uniqueInodes = known;
        }
        return known;
    }

    /** The inode number of a fresh pidfd for {@code pid}, or a negative errno. */
    private static long rawInode(int pid) {
        if (pid <= 0) {
            return -Errno.ESRCH.number();
        }
        long fd = Native.sys(Syscalls.PIDFD_OPEN, pid, 0);
        if (fd < 0) {
            return fd;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment stat = arena.allocate(STAT_SIZE, 8);
            long r = Native.sys(Syscalls.FSTAT, fd, stat.address());
            return r < 0 ? r : stat.get(ValueLayout.JAVA_LONG, ST_INO_OFFSET);
        } finally {
            Native.sys(Syscalls.CLOSE, fd);
        }
    }

    public int pid() {
        return pid;
    }

    /** Sends {@code signal}; ESRCH (already exited) is reported as false. */
    public boolean signal(int signal) throws ErrnoException {
        long r = Native.sys(Syscalls.PIDFD_SEND_SIGNAL, fd.fd(), signal, 0, 0);
        if (r < 0) {
            if (r == -Errno.ESRCH.number()) {
                return false;
            }
            throw new ErrnoException("pidfd_send_signal", (int) -r, "pid " + pid);
        }
        return true;
    }

    /** Reaps the child if it has exited: its status, or empty while it still runs. */
    public Optional<ExitStatus> poll() throws ErrnoException {
        return waitFor(WNOHANG);
    }

    /** Blocks until the child exits and reaps it. */
    public ExitStatus await() throws ErrnoException {
        return waitFor(0).orElseThrow();
    }

    private Optional<ExitStatus> waitFor(int flags) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            // siginfo_t is 128 bytes: si_signo, si_errno, si_code, then si_pid at 16, si_uid at 20, si_status at 24.
            MemorySegment info = arena.allocate(128);
            while (true) {
                long r = Native.sys(Syscalls.WAITID, P_PIDFD, fd.fd(), info.address(), WEXITED | flags, 0);
                if (r < 0) {
                    if (r == -Errno.EINTR.number()) {
                        continue;
                    }
                    throw new ErrnoException("waitid", (int) -r, "pid " + pid);
                }
                break;
            }
            if (info.get(INT, 16) == 0) {
                return Optional.empty();
            }
            int code = info.get(INT, 8);
            int status = info.get(INT, 24);
            return Optional.of(switch (code) {
                case CLD_EXITED -> ExitStatus.exited(pid, status);
                case CLD_KILLED, CLD_DUMPED -> ExitStatus.killed(pid, status, code == CLD_DUMPED);
                default -> ExitStatus.exited(pid, status);
            });
        }
    }

    @Override
    public void close() {
        if (counted.compareAndSet(true, false)) {
            OPEN.computeIfPresent(pid, (p, n) -> n > 1 ? n - 1 : null);
        }
        fd.close();
    }
}
