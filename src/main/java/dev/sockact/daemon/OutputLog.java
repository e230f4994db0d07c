package dev.sockact.daemon;

import dev.sockact.event.EventLoop;
import dev.sockact.event.Watch;
import dev.sockact.posix.Epoll;
import dev.sockact.posix.ErrnoException;
import dev.sockact.posix.Errno;
import dev.sockact.posix.Fd;
import dev.sockact.posix.Io;
import dev.sockact.posix.Pipes;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/**
 * StandardOutput=journal / StandardError=journal: a pipe whose lines become lines of sockactd's own log, as
 * {@code UNIT[PID]: text}. Lines longer than {@link #MAX_LINE} bytes are split (logged once per stream).
 */
final class OutputLog {
    static final int MAX_LINE = 8192;
    private static final System.Logger LOG = System.getLogger("sockactd");

    private final String unit;
    private final Fd readEnd;
    private final Watch watch;
    private final MemorySegment buffer = Arena.ofAuto().allocate(4096);
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private int pid;
    private boolean warnedLong;

    private OutputLog(EventLoop loop, String unit, Fd readEnd) throws ErrnoException {
        this.unit = unit;
        this.readEnd = readEnd;
        this.watch = loop.watch(readEnd.fd(), Epoll.EPOLLIN, this::readable);
    }

    /** A new stream; the caller gives the returned write end to the child and closes it after the spawn. */
    static Fd open(EventLoop loop, String unit, OutputLog[] created) throws ErrnoException {
        Pipes.Pipe pipe = Pipes.pipe(Io.O_NONBLOCK);
        try {
            Io.setNonBlocking(pipe.writeEnd().fd(), false);
            created[0] = new OutputLog(loop, unit, pipe.readEnd());
            return pipe.writeEnd();
        } catch (ErrnoException e) {
            pipe.close();
            throw e;
        }
    }

    /** The pid lines are attributed to. */
    void attach(int childPid) {
        this.pid = childPid;
    }

    private void readable(int events) {
        while (true) {
            long n = Io.readRaw(readEnd.fd(), buffer, buffer.byteSize());
            if (n == -Errno.EINTR.number()) {
                continue;
            }
            if (n == -Errno.EAGAIN.number()) {
                return;
            }
            if (n <= 0) {
                flush();
                watch.cancel();
                readEnd.close();
                return;
            }
            for (long i = 0; i < n; i++) {
                byte b = buffer.get(ValueLayout.JAVA_BYTE, i);
                if (b == '\n') {
                    flush();
                } else {
                    line.write(b);
                    if (line.size() >= MAX_LINE) {
                        if (!warnedLong) {
                            warnedLong = true;
                            LOG.log(System.Logger.Level.WARNING, unit + ": Output line longer than " + MAX_LINE
                                    + " bytes, splitting.");
                        }
                        flush();
                    }
                }
            }
        }
    }

    private void flush() {
        if (line.size() == 0) {
            return;
        }
        LOG.log(System.Logger.Level.INFO, unit + "[" + pid + "]: " + line.toString(StandardCharsets.UTF_8));
        line.reset();
    }
}
