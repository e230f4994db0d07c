package dev.sockact.posix;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** An eventfd(2) counter: how other threads wake an event loop. */
public final class EventFd implements AutoCloseable {
    private static final int EFD_NONBLOCK = Io.O_NONBLOCK;
    private static final int EFD_CLOEXEC = Io.O_CLOEXEC;

    private final Fd fd;
    private final MemorySegment writeValue;
    private final MemorySegment readValue;

    private EventFd(Fd fd) {
        this.fd = fd;
        this.writeValue = Arena.ofAuto().allocateFrom(Layouts.LONG, 1L);
        this.readValue = Arena.ofAuto().allocate(Layouts.LONG);
    }

    public static EventFd create() throws ErrnoException {
        long fd = Native.sys(Syscalls.EVENTFD2, 0, EFD_NONBLOCK | EFD_CLOEXEC);
        if (fd < 0) {
            throw new ErrnoException("eventfd", (int) -fd, null);
        }
        return new EventFd(Fd.adopt((int) fd));
    }

    public int fd() {
        return fd.fd();
    }

    /** Adds one to the counter; safe from any thread. */
    public void signal() {
        synchronized (writeValue) {
            Io.writeRaw(fd.fd(), writeValue, 8);
        }
    }

    /** Resets the counter; only the loop thread calls this. */
    public void drain() {
        Io.readRaw(fd.fd(), readValue, 8);
    }

    @Override
    public void close() {
        fd.close();
    }
}
