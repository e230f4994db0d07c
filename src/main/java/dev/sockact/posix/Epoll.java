package dev.sockact.posix;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

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
        long fd = Native.sys(Syscalls.EPOLL_CREATE1, Io.O_CLOEXEC);
        if (fd < 0) {
            throw new ErrnoException("epoll_create1", (int) -fd, null);
        }
        return new Epoll(Fd.adopt((int) fd), capacity);
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
        ctlEvent.set(Layouts.INT_UNALIGNED, 0, interest);
        ctlEvent.set(Layouts.LONG_UNALIGNED, DATA_OFFSET, token);
        long r = Native.sys(Syscalls.EPOLL_CTL, epfd.fd(), op, fd, ctlEvent.address());
        if (r < 0) {
            throw new ErrnoException(name, (int) -r, "fd " + fd);
        }
    }

    /** Waits up to {@code timeoutMillis} (-1: forever): the number of ready events, 0 on timeout or EINTR. */
    public int await(int timeoutMillis) throws ErrnoException {
        // epoll_pwait with no mask: aarch64 has no plain epoll_wait.
        long n = Native.sys(Syscalls.EPOLL_PWAIT, epfd.fd(), events.address(), capacity, timeoutMillis, 0, 8);
        if (n < 0) {
            if (n == -Errno.EINTR.number()) {
                return 0;
            }
            throw new ErrnoException("epoll_wait", (int) -n, null);
        }
        return (int) n;
    }

    /** The event mask of ready event {@code i} from the last {@link #await}. */
    public int readyEvents(int i) {
        return events.get(Layouts.INT_UNALIGNED, (long) i * EVENT_SIZE);
    }

    /** The token of ready event {@code i} from the last {@link #await}. */
    public long readyToken(int i) {
        return events.get(Layouts.LONG_UNALIGNED, (long) i * EVENT_SIZE + DATA_OFFSET);
    }

    @Override
    public void close() {
        epfd.close();
    }
}
