package dev.sockact.posix;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * File-system calls java.nio does not offer with the exact semantics needed: FIFOs, modes, owners, umask; and
 * whether exec(2) would refuse a program, as an errno.
 */
public final class PosixFiles {
    private PosixFiles() {
        throw new AssertionError();
    }

    private static final int S_IFIFO = 0010000;

    public static void mkfifo(String path, int mode) throws ErrnoException {
        pathCall(Syscalls.MKNODAT, "mkfifo", path, S_IFIFO | mode, 0);
    }

    public static void chmod(String path, int mode) throws ErrnoException {
        pathCall(Syscalls.FCHMODAT, "chmod", path, mode, 0);
    }

    public static void mkdir(String path, int mode) throws ErrnoException {
        pathCall(Syscalls.MKDIRAT, "mkdir", path, mode, 0);
    }

    /** lchown(2); -1 leaves the owner or the group as it is. */
    public static void chown(String path, int uid, int gid) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            long r = Native.sys(Syscalls.FCHOWNAT, Syscalls.AT_FDCWD, arena.allocateFrom(path).address(),
                    uid, gid, Syscalls.AT_SYMLINK_NOFOLLOW);
            if (r < 0) {
                throw new ErrnoException("chown", (int) -r, path);
            }
        }
    }

    public static void symlink(String target, String link) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            long r = Native.sys(Syscalls.SYMLINKAT, arena.allocateFrom(target).address(), Syscalls.AT_FDCWD,
                    arena.allocateFrom(link).address());
            if (r < 0) {
                throw new ErrnoException("symlink", (int) -r, link);
            }
        }
    }

    /** unlink(2); a missing file is not an error (ENOENT returns false). */
    public static boolean unlink(String path) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            long r = Native.sys(Syscalls.UNLINKAT, Syscalls.AT_FDCWD, arena.allocateFrom(path).address(), 0);
            if (r < 0) {
                if (r == -Errno.ENOENT.number()) {
                    return false;
                }
                throw new ErrnoException("unlink", (int) -r, path);
            }
            return true;
        }
    }

    /** open(2) with O_CLOEXEC always added (FIFOs and special files of ListenFIFO=/ListenSpecial=). */
    public static Fd open(String path, int flags, int mode) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            long fd = Native.sys(Syscalls.OPENAT, Syscalls.AT_FDCWD, arena.allocateFrom(path).address(),
                    flags | Io.O_CLOEXEC, mode);
            if (fd < 0) {
                throw new ErrnoException("open", (int) -fd, path);
            }
            return Fd.adopt((int) fd);
        }
    }

    /** O_PATH: a handle on the file itself, which needs no permission on it and never blocks (not even on a FIFO). */
    private static final int O_PATH = 010000000;
    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;
    /** st_mode follows st_dev, st_ino and the 8-byte st_nlink on x86_64; in asm-generic's (aarch64), st_ino. */
    private static final long ST_MODE_OFFSET = "aarch64".equals(System.getProperty("os.arch")) ? 16 : 24;
    /** Larger than either struct stat (144 and 128 bytes). */
    private static final long STAT_SIZE = 256;

    /** open(2) with O_PATH (and O_CLOEXEC): for {@link #isSocket}, and to reach the file through /proc/self/fd. */
    public static Fd openPath(String path) throws ErrnoException {
        return open(path, O_PATH, 0);
    }

    /** Whether {@code fd} (for instance an O_PATH handle) is an AF_UNIX socket's file: fstat(2), S_ISSOCK. */
    public static boolean isSocket(Fd fd) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment stat = arena.allocate(STAT_SIZE, 8);
            long r = Native.sys(Syscalls.FSTAT, fd.fd(), stat.address());
            if (r < 0) {
                throw new ErrnoException("fstat", (int) -r, "fd " + fd.fd());
            }
            return (stat.get(ValueLayout.JAVA_INT, ST_MODE_OFFSET) & S_IFMT) == S_IFSOCK;
        }
    }

    /**
     * Why exec(2) would refuse {@code program} before loading it: EACCES (it exists and is not executable), ENOENT,
     * or null when it is executable. For exec paths that would otherwise learn of it only from a child's status.
     */
    public static Errno execRefusal(String program) {
        Path path = Path.of(program);
        if (Files.isExecutable(path)) {
            return null;
        }
        return Files.exists(path) ? Errno.EACCES : Errno.ENOENT;
    }

    /** Sets the process umask and returns the previous one. */
    public static int umask(int mask) {
        return (int) Native.sys(Syscalls.UMASK, mask);
    }

    /** A call of the form call(AT_FDCWD, path, a, b). */
    private static void pathCall(long number, String name, String path, long a, long b) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            long r = Native.sys(number, Syscalls.AT_FDCWD, arena.allocateFrom(path).address(), a, b);
            if (r < 0) {
                throw new ErrnoException(name, (int) -r, path);
            }
        }
    }
}
