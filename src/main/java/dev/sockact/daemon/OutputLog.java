package dev.sockact.daemon;

import dev.sockact.event.EventLoop;
import dev.sockact.event.Watch;
import dev.sockact.posix.Epoll;
import dev.sockact.posix.ErrnoException;
import dev.sockact.posix.Errno;
import dev.sockact.posix.Fd;
import dev.sockact.posix.Io;
import dev.sockact.posix.Pipes;
import dev.sockact.unit.SyslogLevel;

import java.lang.System.Logger.Level;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * StandardOutput=journal (and syslog, kmsg, with or without +console): a pipe whose lines go to the unit's
 * {@link UnitJournal} as {@code IDENTIFIER[PID]: text}, and to sockactd's own log. As journald's stdout stream:
 * a line ends at a newline or a NUL, a line longer than {@link #LINE_MAX} bytes (journald's LineMax=) is split, a
 * leading {@code <N>} sets the line's priority (SyslogLevelPrefix=), and lines past the unit's rate limit are
 * dropped before they cost a string. At most {@link #READ_PER_WAKEUP} bytes are read per wake-up, so that a
 * service writing without pause cannot hold the loop. The pipe is read from {@link #attach} on, once the child's
 * pid is known: a child spawned in the background (an Accept=yes instance, a main process spawned ahead of its
 * start) writes before its pid comes back, and its first lines would have none.
 */
final class OutputLog {
    static final int LINE_MAX = 48 * 1024;
    static final int READ_PER_WAKEUP = 64 * 1024;
    private static final System.Logger LOG = System.getLogger("sockactd");

    private final UnitJournal journal;
    private final String unit;
    private final String identifier;
    private final SyslogLevel level;
    private final EventLoop loop;
    private final Fd readEnd;
    private Watch watch;
    /**
     * What a read goes into, one pair per loop thread and shared by its streams (a stream is read on its loop
     * only, and a read is done with before the next): allocating 32 KiB per stream was a cost of every spawn.
     */
    private static final ThreadLocal<ReadBuffers> BUFFERS = ThreadLocal.withInitial(ReadBuffers::new);

    private record ReadBuffers(MemorySegment offHeap, byte[] heap) {
        ReadBuffers() {
            this(Arena.ofAuto().allocate(16 * 1024), new byte[16 * 1024]);
        }
    }

    private byte[] line = new byte[256];
    private int length;
    private int pid;

    private OutputLog(EventLoop loop, UnitJournal journal, String unit, String identifier, SyslogLevel level,
                      Fd readEnd) {
        this.journal = journal;
        this.unit = unit;
        this.identifier = identifier;
        this.level = level;
        this.loop = loop;
        this.readEnd = readEnd;
    }

    /**
     * A new stream for {@code unit}'s output; {@code created[0]} is set to it. The caller gives the returned write
     * end to the child and closes it after the spawn.
     */
    static Fd open(EventLoop loop, UnitJournal journal, String unit, String identifier, SyslogLevel level,
                   OutputLog[] created) throws ErrnoException {
        Pipes.Pipe pipe = Pipes.withNonBlockingReadEnd();
        created[0] = new OutputLog(loop, journal, unit, identifier, level, pipe.readEnd());
        return pipe.writeEnd();
    }

    /**
     * The pid lines are attributed to (0: the spawn failed, or did not happen), and the start of reading, until
     * the end of the stream. Called once, on the loop.
     */
    void attach(int childPid) {
        this.pid = childPid;
        try {
            watch = loop.watch(readEnd.fd(), Epoll.EPOLLIN, this::readable);
        } catch (ErrnoException e) {
            LOG.log(Level.WARNING, unit + ": Failed to read the output of process " + childPid + ", dropping it: "
                    + e.reason());
            readEnd.close();
        }
    }

    private void readable(int events) {
        ReadBuffers buffers = BUFFERS.get();
        MemorySegment buffer = buffers.offHeap();
        byte[] chunk = buffers.heap();
        int read = 0;
        while (read < READ_PER_WAKEUP) {
            long n = Io.readRaw(readEnd.fd(), buffer, buffer.byteSize());
            if (n == -Errno.EINTR.number()) {
                continue;
            }
            if (n == -Errno.EAGAIN.number()) {
                return;
            }
            if (n <= 0) {
                end();
                return;
            }
            read += (int) n;
            MemorySegment.copy(buffer, ValueLayout.JAVA_BYTE, 0, chunk, 0, (int) n);
            for (int i = 0; i < n; i++) {
                byte b = chunk[i];
                if (b == '\n' || b == 0) {
                    emit();
                } else {
                    if (length == line.length) {
                        line = Arrays.copyOf(line, Math.min(LINE_MAX, line.length * 2));
                    }
                    line[length++] = b;
                    if (length == LINE_MAX) {
                        emit();
                    }
                }
            }
        }
    }

    private void end() {
        if (length > 0) {
            emit();
        }
        watch.cancel();
        readEnd.close();
        journal.flushSuppressed(unit);
    }

    private void emit() {
        int start = 0;
        int priority = level.priority();
        if (level.prefix()) {
            int close = prefixEnd();
            if (close > 0) {
                priority = Integer.parseInt(new String(line, 1, close - 1, StandardCharsets.US_ASCII)) & 7;
                start = close + 1;
            }
        }
        int n = length;
        length = 0;
        if (!journal.admit(unit, System.nanoTime())) {
            return;
        }
        String text = new String(line, start, n - start, StandardCharsets.UTF_8);
        journal.append(unit, priority, identifier, pid, text);
        String shown = identifier + (pid > 0 ? "[" + pid + "]: " : ": ") + text;
        LOG.log(consoleLevel(priority), shown);
    }

    /** syslog_parse_priority(): {@code <} one to three digits {@code >}; the index of {@code >}, or -1. */
    private int prefixEnd() {
        if (length < 3 || line[0] != '<') {
            return -1;
        }
        for (int i = 1; i < Math.min(length, 5); i++) {
            if (line[i] == '>') {
                return i > 1 ? i : -1;
            }
            if (line[i] < '0' || line[i] > '9') {
                return -1;
            }
        }
        return -1;
    }

    private static Level consoleLevel(int priority) {
        return priority <= 3 ? Level.ERROR : priority == 4 ? Level.WARNING : priority <= 6 ? Level.INFO : Level.DEBUG;
    }
}
