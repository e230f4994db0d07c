package dev.sockact.posix;

import static dev.sockact.posix.Native.INT;
import static dev.sockact.posix.Native.POINTER;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * epoll_create1, epoll_ctl, epoll_wait.
 *
 * <pre>
 * struct epoll_event {
 *     uint32_t     events;
 *     epoll_data_t data;    // a union; we store a 64-bit token
 * } __EPOLL_PACKED;         // packed (12 bytes) on x86_64 only; 16 bytes elsewhere
 * </pre>
 */
public final class Epoll implements AutoCloseable {
    public static final int EPOLLIN = 0x001;
    public static final int EPOLLPRI = 0x002;
    public static final int EPOLLOUT = 0x004;
    public static final int EPOLLERR = 0x008;
    public static final int EPOLLHUP = 0x010;
    public static final int EPOLLRDHUP = 0x2000;
    public static final int EPOLLEXCLUSIVE = 1 << 28;
    public static final int EPOLLONESHOT = 1 << 30;
    public static final int EPOLLET = 1 << 31;

    private static final int EPOLL_CTL_ADD = 1;
    private static final int EPOLL_CTL_DEL = 2;
    private static final int EPOLL_CTL_MOD = 3;

    private static final boolean PACKED = "amd64".equals(System.getProperty("os.arch"))
            || "x86_64".equals(System.getProperty("os.arch"));
    /** sizeof(struct epoll_event) on this architecture. */
    public static final int EVENT_SIZE = PACKED ? 12 : 16;
    private static final int DATA_OFFSET = PACKED ? 4 : 8;

    private static final class Create1 {
        static final MethodHandle H = Native.errnoCall("epoll_create1", FunctionDescriptor.of(INT, INT));
    }

    private static final class Ctl {
        static final MethodHandle H = Native.errnoCall("epoll_ctl", FunctionDescriptor.of(INT, INT, INT, INT, POINTER));
    }

    private static final class Wait {
        static final MethodHandle H = Native.errnoCall("epoll_wait", FunctionDescriptor.of(INT, INT, POINTER, INT, INT));
    }

    private final Fd epfd;
    private final MemorySegment ctlEvent;
    private final MemorySegment events;
    private final int capacity;

    private Epoll(Fd epfd, int capacity) {
        this.epfd = epfd;
        this.capacity = capacity;
        // Owned by the one thread that drives this epoll; freed with it by the GC.
        Arena arena = Arena.ofAuto();
        this.ctlEvent = arena.allocate(EVENT_SIZE);
        this.events = arena.allocate((long) EVENT_SIZE * capacity);
    }

    /** A new epoll instance (EPOLL_CLOEXEC) returning at most {@code capacity} events per wait. */
    public static Epoll create(int capacity) throws ErrnoException {
        try {
            MemorySegment c = Native.capture();
            int fd = (int) Create1.H.invokeExact(c, Io.O_CLOEXEC);
            if (fd < 0) {
                throw new ErrnoException("epoll_create1", Native.errno(c), null);
            }
            return new Epoll(Fd.adopt(fd), capacity);
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public void add(int fd, int interest, long token) throws ErrnoException {
        ctl(EPOLL_CTL_ADD, fd, interest, token, "epoll_ctl(ADD)");
    }

    public void modify(int fd, int interest, long token) throws ErrnoException {
        ctl(EPOLL_CTL_MOD, fd, interest, token, "epoll_ctl(MOD)");
    }

    /** Removes {@code fd}; a descriptor that is already closed is not an error here. */
    public void remove(int fd) {
        try {
            ctl(EPOLL_CTL_DEL, fd, 0, 0, "epoll_ctl(DEL)");
        } catch (ErrnoException ignored) {
            // EBADF/ENOENT: closing the fd already removed it.
        }
    }

    private void ctl(int op, int fd, int interest, long token, String name) throws ErrnoException {
        ctlEvent.set(Native.INT_UNALIGNED, 0, interest);
        ctlEvent.set(Native.LONG_UNALIGNED, DATA_OFFSET, token);
        try {
            MemorySegment c = Native.capture();
            int r = (int) Ctl.H.invokeExact(c, epfd.fd(), op, fd, ctlEvent);
            if (r < 0) {
                throw new ErrnoException(name, Native.errno(c), "fd " + fd);
            }
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** Waits up to {@code timeoutMillis} (-1: forever): the number of ready events, 0 on timeout or EINTR. */
    public int await(int timeoutMillis) throws ErrnoException {
        try {
            MemorySegment c = Native.capture();
            int n = (int) Wait.H.invokeExact(c, epfd.fd(), events, capacity, timeoutMillis);
            if (n < 0) {
                int errno = Native.errno(c);
                if (errno == Errno.EINTR.number()) {
                    return 0;
                }
                throw new ErrnoException("epoll_wait", errno, null);
            }
            return n;
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** The event mask of ready event {@code i} from the last {@link #await}. */
    public int readyEvents(int i) {
        return events.get(Native.INT_UNALIGNED, (long) i * EVENT_SIZE);
    }

    /** The token of ready event {@code i} from the last {@link #await}. */
    public long readyToken(int i) {
        return events.get(Native.LONG_UNALIGNED, (long) i * EVENT_SIZE + DATA_OFFSET);
    }

    @Override
    public void close() {
        epfd.close();
    }
}
