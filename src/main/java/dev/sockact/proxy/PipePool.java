package dev.sockact.proxy;

import dev.sockact.posix.ErrnoException;
import dev.sockact.posix.Io;
import dev.sockact.posix.Pipes;
import java.util.ArrayDeque;

/**
 * Empty pipes kept for reuse by one event loop. A connection holds a pipe only
 * while data for it is in flight, so idle connections cost two descriptors,
 * not six; the pool saves the pipe2 + fcntl + two close calls a bulk transfer
 * would otherwise pay every time its socket drains. Bounded: at most
 * {@link #MAX_IDLE} idle pipes per loop.
 *
 * <p>Pipes hold 1 MiB: a splice then moves up to four times what systemd's 256 KiB
 * pipes move, and bulk transfers took a fifth less CPU and ran 6-11% faster (iperf3
 * through the proxy, 5 runs each, bench/RESULTS.md). What full pipes pin is bounded:
 * at most {@link #MAX_LARGE} such pipes per loop exist at once, later ones get
 * systemd's size (and an unprivileged user over pipe-user-pages-soft gets the
 * kernel's default, 64 KiB).
 */
final class PipePool implements AutoCloseable {
    static final int MAX_IDLE = 64;
    static final int LARGE_CAPACITY = 1024 * 1024;
    /** What systemd-socket-proxyd asks for (BUFFER_SIZE); the kernel may give less. */
    static final int SMALL_CAPACITY = 256 * 1024;
    static final int MAX_LARGE = 64;

    /** A pipe and the capacity the kernel gave it, read once when it was made. */
    record Pooled(Pipes.Pipe pipe, int capacity) implements AutoCloseable {
        boolean isLarge() {
            return capacity == LARGE_CAPACITY;
        }

        int readFd() {
            return pipe.readEnd().fd();
        }

        int writeFd() {
            return pipe.writeEnd().fd();
        }

        @Override
        public void close() {
            pipe.close();
        }
    }

    private final ArrayDeque<Pooled> idle = new ArrayDeque<>();
    /** Live pipes (idle or in use) of {@link #LARGE_CAPACITY}. */
    private int large;

    Pooled take() throws ErrnoException {
        Pooled pooled = idle.pollLast();
        if (pooled != null) {
            return pooled;
        }
        Pipes.Pipe pipe = Pipes.pipe(Io.O_NONBLOCK);
        int capacity;
        try {
            capacity = Pipes.setCapacity(pipe.writeEnd(), large < MAX_LARGE ? LARGE_CAPACITY : SMALL_CAPACITY);
        } catch (ErrnoException e) {
            // EPERM over pipe-user-pages-soft: the default capacity still works, only slower.
            try {
                capacity = Pipes.capacity(pipe.writeEnd());
            } catch (ErrnoException unreadable) {
                pipe.close();
                throw unreadable;
            }
        }
        pooled = new Pooled(pipe, capacity);
        if (pooled.isLarge()) {
            large++;
        }
        return pooled;
    }

    /** Takes a pipe back: kept when empty and there is room, else closed. */
    void give(Pooled pooled, boolean empty) {
        if (empty && idle.size() < MAX_IDLE) {
            idle.addLast(pooled);
        } else {
            if (pooled.isLarge()) {
                large--;
            }
            pooled.close();
        }
    }

    @Override
    public void close() {
        idle.forEach(Pooled::close);
        idle.clear();
    }
}
