package dev.sockact.proxy;

import dev.sockact.metrics.Histogram;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The counters of one loop: written by that loop's thread only, read by anyone ({@link ProxyEngine#stats}).
 * Opaque access keeps a reader from seeing a torn or forever-stale value without making the writer pay for a
 * fence or a lock-prefixed add per read or write of the data it counts.
 */
final class LoopCounters {
    enum Counter {
        /** CONNECT_FAILURES: every connection closed for want of a target, whether resolving or connecting failed. */
        ACCEPTED, REFUSED, CONNECT_FAILURES, RESOLVE_FAILURES,
        /** Bytes written to the sink from the loop's buffer (send/write: a copy through user space). */
        BYTES_TO_TARGET, BYTES_TO_CLIENTS,
        /** Bytes written to the sink by splice(2) from a pipe (zero-copy). */
        BYTES_TO_TARGET_SPLICED, BYTES_TO_CLIENTS_SPLICED,
        /** Datagram sessions (one per client address): opened, ended by their idle time, ended for any reason. */
        SESSIONS_OPENED, SESSIONS_EXPIRED, SESSIONS_CLOSED,
        /** Datagrams of a new client not given a session: the limit of open connections and sessions was reached. */
        SESSIONS_REFUSED,
        /** Datagrams not forwarded: a new client at the limit, a full socket buffer, a reply to an unbound client. */
        DATAGRAMS_DROPPED
    }

    /** Linux's errno numbers are below this; a higher one (none exists) counts in the last slot. */
    static final int ERRNO_SLOTS = 134;

    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(long[].class);

    private final long[] values = new long[Counter.values().length];
    /** Connect failures by errno number: a closed set, so a fixed array and no map per failure. */
    private final long[] connectFailures = new long[ERRNO_SLOTS + 1];
    /** From the start of the first connect attempt to connected, of each connection that got there. */
    private final Histogram connectLatency = new Histogram(Histogram.LATENCY_SECONDS);

    /** Only from the loop's own thread: a plain read-modify-write, published opaquely. */
    void add(Counter counter, long n) {
        increment(values, counter.ordinal(), n);
    }

    /** Only from the loop's own thread: a connection (or session) failed to connect with {@code errno}. */
    void connectFailed(int errno) {
        increment(values, Counter.CONNECT_FAILURES.ordinal(), 1);
        increment(connectFailures, errno > 0 && errno < ERRNO_SLOTS ? errno : ERRNO_SLOTS, 1);
    }

    private static void increment(long[] array, int i, long n) {
        SLOT.setOpaque(array, i, (long) SLOT.getOpaque(array, i) + n);
    }

    /** From any thread. */
    long get(Counter counter) {
        return (long) SLOT.getOpaque(values, counter.ordinal());
    }

    /** From any thread: connect failures with errno {@code number} ({@link #ERRNO_SLOTS}: any unknown number). */
    long connectFailures(int number) {
        return (long) SLOT.getOpaque(connectFailures, number);
    }

    /** Observed only on the loop's own thread; read by a scrape. */
    Histogram connectLatency() {
        return connectLatency;
    }
}
