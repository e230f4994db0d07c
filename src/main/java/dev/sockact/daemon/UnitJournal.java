package dev.sockact.daemon;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * sockactd's stand-in for the journal: the last lines of each unit, for {@code sockctl status} and
 * {@code sockctl journal}. Two kinds of line: a service's own output ({@link OutputLog}, StandardOutput=journal),
 * with its identifier and pid; and what sockactd logged about the unit, fed from the logger's tap, which belongs to
 * a unit when it starts with {@code NAME: } or names the unit's description the way systemd's job messages do
 * ({@code Listening on DESC.}, {@code Started DESC.}).
 *
 * <p>Bounded, so that a chatty service cannot grow the daemon: each unit keeps at most {@link #LINES_PER_UNIT} lines
 * and {@link #BYTES_PER_UNIT} bytes (the oldest go first), all units together {@link #TOTAL_BYTES} (the unit holding
 * the most gives up its oldest), and a unit's output is rate-limited as journald's is: past
 * {@link #RATE_LIMIT_BURST} lines in {@link #RATE_LIMIT_INTERVAL_NANOS}, lines are dropped until the interval
 * ends, then one {@code Suppressed N messages from UNIT} line says how many.
 *
 * <p>Fed from any thread (the tap sees every thread's log lines), so every method is synchronized; callbacks given
 * to {@link #onNext} run under the lock and must only hand work on.
 */
final class UnitJournal {
    static final int LINES_PER_UNIT = 1000;
    static final int BYTES_PER_UNIT = 256 * 1024;
    static final long TOTAL_BYTES = 32L * 1024 * 1024;
    /** journald's RateLimitIntervalSec= and RateLimitBurst= defaults. */
    static final long RATE_LIMIT_INTERVAL_NANOS = 30_000_000_000L;
    static final int RATE_LIMIT_BURST = 10_000;
    /** Units with a ring; lines for more are dropped (the manager loads at most MAX_UNITS sockets). */
    static final int MAX_UNITS = 2 * Manager.MAX_UNITS;
    /** What a line costs besides its text: the entry, its strings' headers, the deque slot. */
    private static final int ENTRY_OVERHEAD = 96;
    private static final int MAX_WAITERS_PER_UNIT = 64;
    private static final List<String> JOB_PREFIXES = List.of("Listening on ", "Started ", "Finished ",
            "Failed to start ", "Failed to listen on ", "Stopped ", "Closed ");

    /**
     * One line.
     *
     * @param cursor     its place among every line of every unit, increasing
     * @param priority   the syslog priority, 0 (emerg) .. 7 (debug)
     * @param identifier the service's SyslogIdentifier=, or null for sockactd's own line
     * @param pid        the pid that wrote it (0 for sockactd's own)
     */
    record Entry(long cursor, long epochMillis, int priority, String identifier, int pid, String text) {
        long bytes() {
            return ENTRY_OVERHEAD + text.length() + (identifier == null ? 0 : identifier.length());
        }
    }

    private static final class Ring {
        final ArrayDeque<Entry> entries = new ArrayDeque<>();
        long bytes;
        long windowStart;
        int inWindow;
        long suppressed;
        List<Runnable> waiters = new ArrayList<>();
    }

    private final Map<String, Ring> rings = new HashMap<>();
    private final Map<String, String> units = new HashMap<>();
    private final Map<String, String> descriptions = new HashMap<>();
    private long cursor;
    private long totalBytes;

    /** Makes {@code name} known, with the description its job messages use (null for none). */
    synchronized void register(String name, String description) {
        units.put(name, name);
        if (description != null && !description.isEmpty()) {
            descriptions.put(description, name);
        }
    }

    /** Forgets {@code name} and its lines (an Accept=yes instance that ended). */
    synchronized void forget(String name) {
        units.remove(name);
        Ring ring = rings.remove(name);
        if (ring != null) {
            totalBytes -= ring.bytes;
            ring.waiters.forEach(Runnable::run);
        }
    }

    /** A line sockactd logged: kept if it is about a known unit. */
    synchronized void offer(String text) {
        String unit = attribute(text);
        if (unit != null) {
            add(unit, new Entry(++cursor, System.currentTimeMillis(), 6, null, 0, text));
        }
    }

    /**
     * Whether the next output line of {@code unit} is within the rate limit. Past the burst it is counted as
     * suppressed; the first line admitted in a new interval is preceded by the {@code Suppressed} line.
     */
    synchronized boolean admit(String unit, long nowNanos) {
        Ring ring = ring(unit);
        if (ring == null) {
            return false;
        }
        if (ring.inWindow == 0 || nowNanos - ring.windowStart >= RATE_LIMIT_INTERVAL_NANOS) {
            flushSuppressed(unit);
            ring.windowStart = nowNanos;
            ring.inWindow = 0;
        }
        if (ring.inWindow >= RATE_LIMIT_BURST) {
            ring.suppressed++;
            return false;
        }
        ring.inWindow++;
        return true;
    }

    /** Ends a stream of {@code unit}'s output: lines suppressed so far are reported now rather than never. */
    synchronized void flushSuppressed(String unit) {
        Ring ring = rings.get(unit);
        if (ring != null && ring.suppressed > 0) {
            String text = "Suppressed " + ring.suppressed + " messages from " + unit;
            ring.suppressed = 0;
            add(unit, new Entry(++cursor, System.currentTimeMillis(), 4, null, 0, text));
        }
    }

    /** A line of {@code unit}'s own output (admitted by {@link #admit} first). */
    synchronized void append(String unit, int priority, String identifier, int pid, String text) {
        if (units.containsKey(unit)) {
            add(unit, new Entry(++cursor, System.currentTimeMillis(), priority, identifier, pid, text));
        }
    }

    /** The last {@code n} lines of {@code unit}, oldest first. */
    synchronized List<Entry> last(String unit, int n) {
        return after(unit, 0, n);
    }

    /** The last {@code n} lines of {@code unit} after {@code cursor}, oldest first. */
    synchronized List<Entry> after(String unit, long cursor, int n) {
        Ring ring = rings.get(unit);
        if (ring == null || n <= 0) {
            return List.of();
        }
        List<Entry> out = new ArrayList<>();
        var it = ring.entries.descendingIterator();
        while (it.hasNext() && out.size() < n) {
            Entry e = it.next();
            if (e.cursor() <= cursor) {
                break;
            }
            out.add(e);
        }
        return out.reversed();
    }

    /**
     * Runs {@code waiter} once, at the next line of {@code unit} (or when it is forgotten); false, and nothing
     * registered, when the unit is unknown or has too many waiters.
     */
    synchronized boolean onNext(String unit, Runnable waiter) {
        Ring ring = ring(unit);
        if (ring == null || ring.waiters.size() >= MAX_WAITERS_PER_UNIT) {
            return false;
        }
        ring.waiters.add(waiter);
        return true;
    }

    /** Removes a waiter that is no longer wanted (its follower's request timed out). */
    synchronized void cancel(String unit, Runnable waiter) {
        Ring ring = rings.get(unit);
        if (ring != null) {
            ring.waiters.remove(waiter);
        }
    }

    private Ring ring(String unit) {
        Ring ring = rings.get(unit);
        if (ring == null && units.containsKey(unit) && rings.size() < MAX_UNITS) {
            ring = new Ring();
            rings.put(unit, ring);
        }
        return ring;
    }

    private void add(String unit, Entry entry) {
        Ring ring = ring(unit);
        if (ring == null) {
            return;
        }
        ring.entries.addLast(entry);
        ring.bytes += entry.bytes();
        totalBytes += entry.bytes();
        while (ring.entries.size() > LINES_PER_UNIT || (ring.bytes > BYTES_PER_UNIT && ring.entries.size() > 1)) {
            dropOldest(ring);
        }
        while (totalBytes > TOTAL_BYTES) {
            dropOldest(largest());
        }
        if (!ring.waiters.isEmpty()) {
            List<Runnable> waiting = ring.waiters;
            ring.waiters = new ArrayList<>();
            waiting.forEach(Runnable::run);
        }
    }

    private void dropOldest(Ring ring) {
        Entry e = ring.entries.removeFirst();
        ring.bytes -= e.bytes();
        totalBytes -= e.bytes();
    }

    private Ring largest() {
        Ring largest = null;
        for (Ring r : rings.values()) {
            if (largest == null || r.bytes > largest.bytes) {
                largest = r;
            }
        }
        return largest;
    }

    private String attribute(String text) {
        int colon = text.indexOf(": ");
        if (colon > 0 && units.containsKey(text.substring(0, colon))) {
            return text.substring(0, colon);
        }
        for (String prefix : JOB_PREFIXES) {
            if (text.startsWith(prefix) && text.endsWith(".")) {
                String named = text.substring(prefix.length(), text.length() - 1);
                String unit = descriptions.getOrDefault(named, units.get(named));
                if (unit != null) {
                    return unit;
                }
            }
        }
        return null;
    }
}
