package dev.sockact.posix;

import static dev.sockact.posix.Layouts.INT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** pipe2, splice, and pipe capacity (F_SETPIPE_SZ). */
public final class Pipes {
    public static final int SPLICE_F_MOVE = 1;
    public static final int SPLICE_F_NONBLOCK = 2;

    private Pipes() {
        throw new AssertionError();
    }

    /** A pipe: the read end and the write end, both CLOEXEC, with extra {@code flags} (O_NONBLOCK). */
    public record Pipe(Fd readEnd, Fd writeEnd) implements AutoCloseable {
        @Override
        public void close() {
            readEnd.close();
            writeEnd.close();
        }
    }

    public static Pipe pipe(int flags) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fds = arena.allocate(INT, 2);
            long r = Native.sys(Syscalls.PIPE2, fds.address(), flags | Io.O_CLOEXEC);
            if (r < 0) {
                throw new ErrnoException("pipe2", (int) -r, null);
            }
            return new Pipe(Fd.adopt(fds.getAtIndex(INT, 0)), Fd.adopt(fds.getAtIndex(INT, 1)));
        }
    }

    /**
     * A pipe whose read end only is non-blocking: ours on an event loop, the write end a child's, blocking as
     * programs expect. One fcntl, as a new read end's flags are known (O_RDONLY).
     */
    public static Pipe withNonBlockingReadEnd() throws ErrnoException {
        Pipe pipe = pipe(0);
        try {
            Io.fcntl(pipe.readEnd().fd(), Io.F_SETFL, Io.O_NONBLOCK, "fcntl(F_SETFL)");
        } catch (ErrnoException e) {
            pipe.close();
            throw e;
        }
        return pipe;
    }

    /** splice(2) between two fds, one of which is a pipe: bytes moved, 0 at EOF, or -errno. */
    public static long spliceRaw(int from, int to, long length, int flags) {
        return Native.sys(Syscalls.SPLICE, from, 0, to, 0, length, flags);
    }

    /** Asks for a pipe capacity (rounded up by the kernel; limited by /proc/sys/fs/pipe-max-size) and returns what it got. */
    public static int setCapacity(Fd pipe, int bytes) throws ErrnoException {
        return Io.fcntl(pipe.fd(), Io.F_SETPIPE_SZ, bytes, "fcntl(F_SETPIPE_SZ)");
    }

    public static int capacity(Fd pipe) throws ErrnoException {
        return Io.fcntl(pipe.fd(), Io.F_GETPIPE_SZ, 0, "fcntl(F_GETPIPE_SZ)");
    }
}
