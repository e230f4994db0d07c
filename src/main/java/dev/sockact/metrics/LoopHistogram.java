package dev.sockact.metrics;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.List;

/**
 * A histogram of durations written by one thread only (a forwarding loop), read by any: its buckets are plain
 * longs published opaquely, as {@code LoopCounters} does, so observing costs a bucket search and two stores, no
 * atomic add and no lock. A scrape sums the histograms of every loop ({@link #writeSum}).
 */
public final class LoopHistogram {
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(long[].class);

    private final double[] bounds;
    /** The bounds in nanoseconds, so that observing needs no division. */
    private final long[] boundNanos;
    /** One per bound, the last for +Inf; then the sum of the observed nanoseconds. */
    private final long[] slots;

    public LoopHistogram(double[] bounds) {
        this.bounds = bounds.clone();
        this.boundNanos = new long[bounds.length];
        for (int i = 0; i < bounds.length; i++) {
            boundNanos[i] = Math.round(bounds[i] * 1e9);
        }
        this.slots = new long[bounds.length + 2];
    }

    /** Only from the owning thread. */
    public void observeNanos(long nanos) {
        int i = 0;
        while (i < boundNanos.length && nanos > boundNanos[i]) {
            i++;
        }
        SLOT.setOpaque(slots, i, (long) SLOT.getOpaque(slots, i) + 1);
        int sum = slots.length - 1;
        SLOT.setOpaque(slots, sum, (long) SLOT.getOpaque(slots, sum) + Math.max(0, nanos));
    }

    /**
     * Writes the sum of {@code parts} (all with the same bounds) as {@code name}'s _bucket, _sum and _count samples;
     * the family header is the caller's. A loop observing meanwhile may be counted in one sample and not yet in the
     * next: the buckets are read first and the count is their total, so the samples stay consistent.
     */
    public static void writeSum(Exposition out, String name, List<LoopHistogram> parts, String... labels) {
        double[] bounds = parts.isEmpty() ? Histogram.LATENCY_SECONDS : parts.getFirst().bounds;
        long[] counts = new long[bounds.length + 1];
        long sumNanos = 0;
        for (LoopHistogram part : parts) {
            for (int i = 0; i < counts.length; i++) {
                counts[i] += (long) SLOT.getOpaque(part.slots, i);
            }
            sumNanos += (long) SLOT.getOpaque(part.slots, part.slots.length - 1);
        }
        Histogram.writeBuckets(out, name, bounds, counts, sumNanos / 1e9, labels);
    }
}
