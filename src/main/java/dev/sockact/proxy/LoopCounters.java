package dev.sockact.proxy;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The counters of one loop: written by that loop's thread only, read by anyone ({@link ProxyEngine#stats}).
 * Opaque access keeps a reader from seeing a torn or forever-stale value without making the writer pay for a
 * fence or a lock-prefixed add per read or write of the data it counts.
 */
final class LoopCounters {
    enum Counter {
        ACCEPTED, REFUSED, CONNECT_FAILURES, BYTES_TO_TARGET, BYTES_TO_CLIENTS,
        /** Datagram sessions (one per client address): opened, and ended by their idle time. */
        SESSIONS_OPENED, SESSIONS_EXPIRED,
        /** Datagrams not forwarded: a new client at the limit, a full socket buffer, a reply to an unbound client. */
        DATAGRAMS_DROPPED
    }

    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(long[].class);

    private final long[] values = new long[Counter.values().length];

    /** Only from the loop's own thread: a plain read-modify-write, published opaquely. */
    void add(Counter counter, long n) {
        int i = counter.ordinal();
        SLOT.setOpaque(values, i, (long) SLOT.getOpaque(values, i) + n);
    }

    /** From any thread. */
    long get(Counter counter) {
        return (long) SLOT.getOpaque(values, counter.ordinal());
    }
}
