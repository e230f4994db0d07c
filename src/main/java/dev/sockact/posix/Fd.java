package dev.sockact.posix;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.List;

/**
 * Owns one file descriptor and closes it exactly once.
 *
 * <p>Every constructor path in this package creates descriptors with
 * O_CLOEXEC/SOCK_CLOEXEC, so nothing leaks into children by accident: a child
 * gets only what {@link Spawner} places for it.
 */
public final class Fd implements AutoCloseable {
    private static final int OPEN = 0;
    private static final int CLOSED = 1;
    private static final int TAKEN = 2;

    /** A VarHandle on a plain field rather than an AtomicInteger: a proxy holds two Fds per connection. */
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(Fd.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final int fd;
    @SuppressWarnings("unused") // accessed through STATE
    private volatile int state = OPEN;

    private Fd(int fd) {
        if (fd < 0) {
            throw new IllegalArgumentException("negative fd " + fd);
        }
        this.fd = fd;
    }

    /**
     * Whether both lists hold the same Fd objects in the same order. Identity, not numbers: a descriptor closed and
     * opened again is another object, though its number may be the same.
     */
    public static boolean sameObjects(List<Fd> a, List<Fd> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (a.get(i) != b.get(i)) {
                return false;
            }
        }
        return true;
    }

    /** Takes ownership of a raw descriptor (for example one inherited through LISTEN_FDS). */
    public static Fd adopt(int fd) {
        return new Fd(fd);
    }

    /** The raw number. Valid until {@link #close()} or {@link #take()}. */
    public int fd() {
        return fd;
    }

    public boolean isOpen() {
        return state == OPEN;
    }

    /** Gives up ownership without closing (systemd's TAKE_FD): the caller now owns the number. */
    public int take() {
        if (!STATE.compareAndSet(this, OPEN, TAKEN)) {
            throw new IllegalStateException("fd " + fd + " is no longer owned");
        }
        return fd;
    }

    /** Closes once; later calls do nothing. close() errors are ignored: the fd is gone either way. */
    @Override
    public void close() {
        if (STATE.compareAndSet(this, OPEN, CLOSED)) {
            Io.close(fd);
        }
    }

    @Override
    public String toString() {
        return "fd " + fd + (isOpen() ? "" : " (closed)");
    }
}
