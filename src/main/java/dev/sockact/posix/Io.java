package dev.sockact.posix;

import static dev.sockact.posix.Layouts.INT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Descriptor-level calls: close, read, write, fcntl, ioctl(FIONREAD), dup.
 *
 * <p>The raw methods used on hot paths return the result, or {@code -errno}
 * on failure, instead of throwing (the JDK's IOStatus idea).
 */
public final class Io {
    public static final int O_NONBLOCK = 0x800;
    public static final int O_CLOEXEC = 0x80000;
    public static final int FD_CLOEXEC = 1;

    static final int F_DUPFD_CLOEXEC = 1030;
    static final int F_GETFD = 1;
    static final int F_SETFD = 2;
    static final int F_GETFL = 3;
    static final int F_SETFL = 4;
    static final int F_SETPIPE_SZ = 1031;
    static final int F_GETPIPE_SZ = 1032;
    static final long FIONREAD = 0x541B;

    private Io() {
        throw new AssertionError();
    }

    /** close(2); errors are not reported: Linux releases the number even when close fails. */
    public static void close(int fd) {
        Native.sys(Syscalls.CLOSE, fd);
    }

    /** read(2) into {@code buffer}: bytes read, 0 at EOF, or -errno. */
    public static long readRaw(int fd, MemorySegment buffer, long length) {
        return Native.sys(Syscalls.READ, fd, buffer.address(), length);
    }

    /** read(2) into {@code buffer} from {@code offset} on, up to {@code length} bytes: bytes read, 0 at EOF, or -errno. */
    public static long readRaw(int fd, MemorySegment buffer, long offset, long length) {
        return Native.sys(Syscalls.READ, fd, buffer.address() + offset, length);
    }

    /** write(2) from {@code buffer}: bytes written or -errno. */
    public static long writeRaw(int fd, MemorySegment buffer, long length) {
        return Native.sys(Syscalls.WRITE, fd, buffer.address(), length);
    }

    /** Writes all of {@code bytes}, retrying on EINTR; for small control messages on blocking fds. */
    public static void writeFully(int fd, byte[] bytes, Object what) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(Math.max(1, bytes.length));
            MemorySegment.copy(bytes, 0, buffer, Layouts.BYTE, 0, bytes.length);
            long done = 0;
            while (done < bytes.length) {
                long n = writeRaw(fd, buffer.asSlice(done), bytes.length - done);
                if (n < 0 && n != -Errno.EINTR.number()) {
                    throw new ErrnoException("write", (int) -n, what);
                }
                done += Math.max(0, n);
            }
        }
    }

    static int fcntl(int fd, int command, int argument, String name) throws ErrnoException {
        long r = Native.sys(Syscalls.FCNTL, fd, command, argument);
        if (r < 0) {
            throw new ErrnoException(name, (int) -r, "fd " + fd);
        }
        return (int) r;
    }

    /** Sets or clears O_NONBLOCK. Inherited descriptors may come blocking; the event loop needs them not to. */
    public static void setNonBlocking(int fd, boolean nonBlocking) throws ErrnoException {
        int flags = fcntl(fd, F_GETFL, 0, "fcntl(F_GETFL)");
        int wanted = nonBlocking ? flags | O_NONBLOCK : flags & ~O_NONBLOCK;
        if (wanted != flags) {
            fcntl(fd, F_SETFL, wanted, "fcntl(F_SETFL)");
        }
    }

    public static void setCloseOnExec(int fd, boolean cloexec) throws ErrnoException {
        int flags = fcntl(fd, F_GETFD, 0, "fcntl(F_GETFD)");
        int wanted = cloexec ? flags | FD_CLOEXEC : flags & ~FD_CLOEXEC;
        if (wanted != flags) {
            fcntl(fd, F_SETFD, wanted, "fcntl(F_SETFD)");
        }
    }

    public static boolean isCloseOnExec(int fd) throws ErrnoException {
        return (fcntl(fd, F_GETFD, 0, "fcntl(F_GETFD)") & FD_CLOEXEC) != 0;
    }

    /** A CLOEXEC duplicate numbered {@code minimum} or higher. */
    public static Fd duplicate(int fd, int minimum) throws ErrnoException {
        return Fd.adopt(fcntl(fd, F_DUPFD_CLOEXEC, minimum, "fcntl(F_DUPFD_CLOEXEC)"));
    }

    /** Whether {@code fd} is an open descriptor in this process. */
    public static boolean isOpen(int fd) {
        try {
            fcntl(fd, F_GETFD, 0, "fcntl(F_GETFD)");
            return true;
        } catch (ErrnoException e) {
            return false;
        }
    }

    /** ioctl(FIONREAD): bytes waiting to be read on a socket or pipe. */
    public static int bytesReadable(int fd) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment count = arena.allocate(INT);
            long r = Native.sys(Syscalls.IOCTL, fd, FIONREAD, count.address());
            if (r < 0) {
                throw new ErrnoException("ioctl(FIONREAD)", (int) -r, "fd " + fd);
            }
            return count.get(INT, 0);
        }
    }
}
