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
 */
final class PipePool implements AutoCloseable {
    static final int MAX_IDLE = 64;
    /** What systemd-socket-proxyd asks for (BUFFER_SIZE); the kernel may give less. */
    static final int WANTED_CAPACITY = 256 * 1024;

    private final ArrayDeque<Pipes.Pipe> idle = new ArrayDeque<>();

    Pipes.Pipe take() throws ErrnoException {
        Pipes.Pipe pipe = idle.pollLast();
        if (pipe != null) {
            return pipe;
        }
        pipe = Pipes.pipe(Io.O_NONBLOCK);
        try {
            Pipes.setCapacity(pipe.writeEnd(), WANTED_CAPACITY);
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
            pipe.close();
        }
    }

    @Override
    public void close() {
        idle.forEach(Pipes.Pipe::close);
        idle.clear();
    }
}
