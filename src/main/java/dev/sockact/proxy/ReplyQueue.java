package dev.sockact.proxy;

import dev.sockact.posix.DatagramMessage;
import dev.sockact.posix.Io;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * The replies a loop's datagram sessions read in one round, sent to their clients together with one sendmmsg(2) at
 * the end of the round ({@code EventLoop.atRoundEnd}), where each would otherwise cost a sendmsg. A reply is read
 * straight into a staging area ({@link #read}); the queue goes out earlier when it holds
 * {@link DatagramMessage#BATCH} replies, when the area has no room for another whole datagram, or when a reply is
 * for another listener's socket. A client that waits for each reply gets it in the round it came in, as before: a
 * batch of one.
 */
final class ReplyQueue {
    /** A reply is read with room for any UDP payload. */
    private static final int MAX_REPLY = ProxyWorker.BUFFER_SIZE;
    /** Two whole datagrams, or many small ones (a DNS answer, a game's state). */
    private static final int STAGING_SIZE = 2 * MAX_REPLY;

    private final ProxyWorker worker;
    private final DatagramMessage message;
    private final Runnable flushAtRoundEnd = this::flush;
    private MemorySegment staging;
    /** Where the next reply is read in the staging area: after the last one queued, 8-aligned. */
    private long used;
    private int queued;
    /** The listener socket the queued replies go out on. */
    private int fd = -1;
    /**
     * Each queued reply's client address and source, which the mmsghdrs point at: held here until sent, so that
     * the memory outlives its session even if the session ends in between.
     */
    private final MemorySegment[] addresses = new MemorySegment[2 * DatagramMessage.BATCH];

    ReplyQueue(ProxyWorker worker, DatagramMessage message) {
        this.worker = worker;
        this.message = message;
    }

    /**
     * read(2) of one reply from a session's socket into the staging area (the queue goes out first if the area has
     * no room for a whole datagram): its length, or -errno. {@link #add} then queues it.
     */
    long read(int sessionSocket) {
        if (staging == null) {
            staging = Arena.ofAuto().allocate(STAGING_SIZE, 4096);
        }
        if (STAGING_SIZE - used < MAX_REPLY) {
            flush();
        }
        return Io.readRaw(sessionSocket, staging, used, MAX_REPLY);
    }

    /**
     * Queues the reply the last {@link #read} got, {@code length} bytes, for {@code client} on listener socket
     * {@code socket}, from the source {@code source} says (as {@link DatagramMessage#setBatch} takes them). The
     * client's and the source's memory is its session's. Only from an event handler: the queue goes out when the
     * round's handlers are done.
     */
    void add(int socket, long length, MemorySegment client, int clientLength, MemorySegment source, int sourceLength) {
        long offset = used;
        if (queued > 0 && socket != fd) {
            flush();   // the reply stays where it was read and starts the next batch
        }
        fd = socket;
        addresses[2 * queued] = client;
        addresses[2 * queued + 1] = source;
        message.setBatch(queued++, staging, offset, length, client, clientLength, source, sourceLength);
        used = (offset + length + 7) & ~7L;
        if (queued == 1) {
            worker.loop().atRoundEnd(flushAtRoundEnd);
        }
        if (queued == DatagramMessage.BATCH) {
            flush();
        }
    }

    /**
     * Sends what is queued: sendmmsg from the first not sent yet, and again after a failure (which it reports only
     * as a short count), so that each reply is counted as sent or dropped.
     */
    void flush() {
        int from = 0;
        while (from < queued) {
            int n = message.sendBatch(fd, from, queued - from);
            if (n <= 0) {
                worker.counters().add(LoopCounters.Counter.DATAGRAMS_DROPPED, 1);   // this one failed; the rest go on
                from++;
                continue;
            }
            for (int i = from; i < from + n; i++) {
                worker.counters().add(LoopCounters.Counter.BYTES_TO_CLIENTS, message.batchSent(i));
            }
            from += n;
        }
        Arrays.fill(addresses, 0, 2 * queued, null);
        queued = 0;
        used = 0;
    }
}
