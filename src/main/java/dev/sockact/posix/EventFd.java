package dev.sockact.posix;

import static dev.sockact.posix.Native.INT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/** An eventfd(2) counter: how other threads wake an event loop. */
public final class EventFd implements AutoCloseable {
    private static final int EFD_NONBLOCK = Io.O_NONBLOCK;
    private static final int EFD_CLOEXEC = Io.O_CLOEXEC;

    private static final class Create {
        static final MethodHandle H = Native.errnoCall("eventfd", FunctionDescriptor.of(INT, INT, INT));
    }

    private final Fd fd;
    private final MemorySegment writeValue;
    private final MemorySegment readValue;

    private EventFd(Fd fd) {
        this.fd = fd;
        this.writeValue = Arena.ofAuto().allocateFrom(Native.LONG, 1L);
        this.readValue = Arena.ofAuto().allocate(Native.LONG);
    }

    public static EventFd create() throws ErrnoException {
        try {
            MemorySegment c = Native.capture();
            int fd = (int) Create.H.invokeExact(c, 0, EFD_NONBLOCK | EFD_CLOEXEC);
            if (fd < 0) {
                throw new ErrnoException("eventfd", Native.errno(c), null);
            }
            return new EventFd(Fd.adopt(fd));
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
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
