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

    private final ArrayDeque<Pipes.Pipe> idle = new ArrayDeque<>();
    /** The live pipes (idle or in use) that were given {@link #LARGE_CAPACITY}. */
    private final java.util.Set<Pipes.Pipe> large =
            java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());

    Pipes.Pipe take() throws ErrnoException {
        Pipes.Pipe pipe = idle.pollLast();
        if (pipe != null) {
            return pipe;
        }
        pipe = Pipes.pipe(Io.O_NONBLOCK);
        boolean wantLarge = large.size() < MAX_LARGE;
        try {
            Pipes.setCapacity(pipe.writeEnd(), wantLarge ? LARGE_CAPACITY : SMALL_CAPACITY);
            if (wantLarge) {
                large.add(pipe);
            }
        } catch (ErrnoException ignored) {
            // EPERM over pipe-user-pages-soft: the default capacity still works, only slower.
        }
        return pipe;
    }

    /** Gives back a pipe that is empty; a pipe with data in it is closed instead. */
    void give(Pipes.Pipe pipe, boolean empty) {
        if (empty && idle.size() < MAX_IDLE) {
            idle.addLast(pipe);
        } else {
            large.remove(pipe);
            pipe.close();
        }
    }

    @Override
    public void close() {
        idle.forEach(Pipes.Pipe::close);
        idle.clear();
        large.clear();
    }
}
