package dev.sockact.posix;

import java.lang.foreign.Arena;

/** File-system calls java.nio does not offer with the exact semantics needed: FIFOs, modes, owners, umask. */
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
