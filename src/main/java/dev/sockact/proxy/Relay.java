package dev.sockact.proxy;

import dev.sockact.posix.Errno;
import dev.sockact.posix.ErrnoException;
import dev.sockact.posix.Io;
import dev.sockact.posix.Pipes;
import dev.sockact.posix.Sockets;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * One direction of a proxied connection: bytes from {@code source} to {@code sink}.
 *
 * <p>Small reads are copied through the loop's shared buffer with read/write:
 * for request/response traffic that is two syscalls and no pipe. Once a read
 * fills the buffer the direction is in bulk and moves data with splice through
 * a pipe (zero-copy). Bytes the sink would not take wait in the pipe; while
 * they wait, nothing more is read from the source, so memory stays bounded
 * whatever the two rates are (backpressure).
 *
 * <p>EOF from the source is passed on as shutdown(SHUT_WR) of the sink once
 * everything read has been written: half-close per direction.
 */
final class Relay {
    /** A splice read below this is small; a bulk direction that keeps reading small goes back to copying. */
    private static final long BULK_THRESHOLD = 16 * 1024;
    /** Small splice reads in a row that end bulk mode: a stream's odd short read must not flap it to copying. */
    private static final int SMALL_READS_TO_LEAVE_BULK = 4;
    /** Reads per wake-up, so one busy connection cannot starve the others on its loop. */
    private static final int ROUNDS_PER_WAKEUP = 16;

    private final int source;
    private final int sink;
    private final PipePool pool;
    private final MemorySegment buffer;
    private final LoopCounters counters;
    /** Which of the loop's byte counters this direction adds to: written from the buffer, and by splice. */
    private final LoopCounters.Counter forwarded;
    private final LoopCounters.Counter spliced;

    private PipePool.Pooled pipe;
    private long buffered;
    /** Bytes a partial write to a small pipe could not hold: only when the kernel gave a tiny pipe. */
    private byte[] spill;
    private boolean bulk;
    private int smallReads;
    private boolean sourceEof;
    private boolean done;
    /** The other direction of the same connection. */
    private Relay opposite;

    Relay(int source, int sink, PipePool pool, MemorySegment buffer, LoopCounters counters,
          LoopCounters.Counter forwarded, LoopCounters.Counter spliced) {
        this.source = source;
        this.sink = sink;
        this.pool = pool;
        this.buffer = buffer;
        this.counters = counters;
        this.forwarded = forwarded;
        this.spliced = spliced;
    }

    void pairWith(Relay other) {
        this.opposite = other;
        other.opposite = this;
    }

    /**
     * Moves what it can: 0 when fine (maybe waiting), or an errno that ends the connection.
     * {@code sourceShut}: the source's FIN has arrived, so a short read is followed by the EOF.
     */
    int pump(boolean sourceShut) throws ErrnoException {
        for (int round = 0; round < ROUNDS_PER_WAKEUP && !done; round++) {
            int r = flush();
            if (r != 0) {
                return r;
            }
            if (buffered > 0 || spill != null) {
                return 0;
            }
            if (sourceEof) {
                finish();
                return 0;
            }
            long n = bulk ? spliceIn() : copy(sourceShut);
            if (n == -Errno.EAGAIN.number()) {
                releasePipeIfEmpty();
                return 0;
            }
            if (n < 0) {
                return (int) -n;
            }
            if (n > 0 && n < buffer.byteSize() && !bulk && !sourceShut) {
                // A short read drained the socket: the (level-triggered) loop says when more comes,
                // so the read that would only return EAGAIN is saved, once per message.
                return flush();
            }
        }
        return 0;
    }

    /**
     * The first write of this direction: the PROXY protocol's header, already in the buffer's first
     * {@code headerLength} bytes, then whatever the source has sent already, in one send. Sent at once even when the source has said nothing, since a server that speaks first
     * waits for the header. What the sink does not take waits in the pipe and the spill, ahead of anything read
     * later, as any partial write does: nothing is lost or reordered. 0, or an errno that ends the connection.
     */
    int sendFirst(long headerLength) throws ErrnoException {
        long size = buffer.byteSize();
        long total = headerLength;
        long n = Io.readRaw(source, buffer.asSlice(total), size - total);
        if (n == 0) {
            sourceEof = true;
        } else if (n > 0) {
            total += n;
        } else if (n != -Errno.EAGAIN.number()) {
            return (int) -n;
        }
        long written = Sockets.sendRaw(sink, buffer, total, Sockets.MSG_NOSIGNAL);
        if (written < 0) {
            if (written != -Errno.EAGAIN.number()) {
                return (int) -written;
            }
            written = 0;
        }
        counters.add(forwarded, written);
        if (written < total) {
            keep(written, total);
        } else if (sourceEof) {
            finish();   // the client has come and gone already: no event would end this direction
        }
        if (total == size) {
            bulk = true;
        }
        return 0;
    }

    /** Writes out what waits in the pipe and the spill. 0, or an errno. */
    private int flush() {
        while (buffered > 0) {
            long n = Pipes.spliceRaw(pipe.readFd(), sink, buffered, Pipes.SPLICE_F_MOVE | Pipes.SPLICE_F_NONBLOCK);
            if (n == -Errno.EAGAIN.number()) {
                return 0;
            }
            if (n < 0) {
                return (int) -n;
            }
            buffered -= n;
            counters.add(spliced, n);
        }
        if (spill != null) {
            MemorySegment rest = buffer.asSlice(0, spill.length);
            MemorySegment.copy(spill, 0, rest, ValueLayout.JAVA_BYTE, 0, spill.length);
            long n = Io.writeRaw(sink, rest, spill.length);
            if (n == -Errno.EAGAIN.number()) {
                return 0;
            }
            if (n < 0) {
                return (int) -n;
            }
            counters.add(forwarded, n);
            spill = n == spill.length ? null : Arrays.copyOfRange(spill, (int) n, spill.length);
        }
        return 0;
    }

    /** splice source -> pipe: bytes moved, or -errno. EOF sets sourceEof and returns 0. */
    private long spliceIn() throws ErrnoException {
        ensurePipe();
        long n = Pipes.spliceRaw(source, pipe.writeFd(), pipe.capacity() - buffered,
                Pipes.SPLICE_F_MOVE | Pipes.SPLICE_F_NONBLOCK);
        if (n == 0) {
            sourceEof = true;
        } else if (n > 0) {
            buffered += n;
            smallReads = n < BULK_THRESHOLD ? smallReads + 1 : 0;
            if (smallReads >= SMALL_READS_TO_LEAVE_BULK) {
                bulk = false;
                smallReads = 0;
            }
        }
        return n;
    }

    /**
     * read source -> shared buffer -> write sink; what the sink will not take goes to a pipe. When the
     * source's FIN is known to follow a short read, the EOF is read first and the data is sent with
     * MSG_MORE: the shutdown that comes next then leaves in the same segment as the data, as haproxy does.
     */
    private long copy(boolean sourceShut) throws ErrnoException {
        long size = buffer.byteSize();
        long n = Io.readRaw(source, buffer, size);
        if (n <= 0) {
            if (n == 0) {
                sourceEof = true;
            }
            return n;
        }
        int flags = Sockets.MSG_NOSIGNAL;
        long failure = 0;
        if (sourceShut && n < size) {
            long more = Io.readRaw(source, buffer.asSlice(n), size - n);
            if (more == 0) {
                sourceEof = true;
                flags |= Sockets.MSG_MORE;
            } else if (more > 0) {
                n += more;
            } else if (more != -Errno.EAGAIN.number()) {
                failure = more;   // a reset behind the data: the data is passed on first
            }
        }
        long written = Sockets.sendRaw(sink, buffer, n, flags);
        if (written < 0) {
            if (written != -Errno.EAGAIN.number()) {
                return written;
            }
            written = 0;
        }
        counters.add(forwarded, written);
        if (written < n) {
            keep(written, n);
        }
        if (n == size) {
            bulk = true;
        }
        return failure != 0 ? failure : n;
    }

    /** Puts buffer[from, to) into the pipe (which is empty here), spilling to the heap what it cannot hold. */
    private void keep(long from, long to) throws ErrnoException {
        ensurePipe();
        long n = Io.writeRaw(pipe.writeFd(), buffer.asSlice(from), to - from);
        long kept = Math.max(0, n);
        buffered += kept;
        if (from + kept < to) {
            spill = buffer.asSlice(from + kept, to - from - kept).toArray(ValueLayout.JAVA_BYTE);
        }
    }

    private void ensurePipe() throws ErrnoException {
        if (pipe == null) {
            pipe = pool.take();
        }
    }

    private void releasePipeIfEmpty() {
        if (pipe != null && buffered == 0) {
            pool.give(pipe, true);
            pipe = null;
        }
    }

    /**
     * Source at EOF and everything forwarded: tell the sink no more is coming. When the other
     * direction is finished too, the connection is about to be closed, and close sends the FIN.
     */
    private void finish() {
        done = true;
        releasePipeIfEmpty();
        if (opposite == null || !opposite.done) {
            // ENOTCONN when the sink already went away: nothing left to tell it.
            Sockets.shutdownRaw(sink, Sockets.SHUT_WR);
        }
    }

    boolean wantsRead() {
        return !sourceEof && !done && buffered == 0 && spill == null;
    }

    boolean wantsWrite() {
        return buffered > 0 || spill != null;
    }

    boolean isDone() {
        return done;
    }

    /** Returns the pipe to the pool (or closes it when it still holds data). */
    void release() {
        if (pipe != null) {
            pool.give(pipe, buffered == 0);
            pipe = null;
        }
    }
}
