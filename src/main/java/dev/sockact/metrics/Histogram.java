package dev.sockact.metrics;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.List;

/**
 * A histogram of durations in seconds with fixed bucket bounds, written by one thread only (a forwarding loop, the
 * manager's loop) and read by any: its buckets are plain longs published opaquely, as the proxy's loop counters
 * are, so observing costs a bucket search and two stores, no atomic add and no lock. A scrape writes the buckets
 * cumulatively, as Prometheus expects, and sums the histograms of several loops into one ({@link #writeSum}).
 */
public final class Histogram {
    /** 1 ms to 10 s: activation and connect times. */
    public static final double[] LATENCY_SECONDS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
            5, 10};

    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(long[].class);

    private final double[] bounds;
    /** The bounds in nanoseconds, so that observing needs no division. */
    private final long[] boundNanos;
    /** One per bound, the last for +Inf; then the sum of the observed nanoseconds. */
    private final long[] slots;

    public Histogram(double[] bounds) {
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

    /** How many were observed; from any thread. */
    public long count() {
        long n = 0;
        for (int i = 0; i <= bounds.length; i++) {
            n += (long) SLOT.getOpaque(slots, i);
        }
        return n;
    }

    /** The sum of what was observed, in seconds; from any thread. */
    public double sumSeconds() {
        return (long) SLOT.getOpaque(slots, slots.length - 1) / 1e9;
    }

    /** Writes {@code name}'s _bucket, _sum and _count samples (the family header is the caller's). */
    public void writeTo(Exposition out, String name, String... labels) {
        writeSum(out, name, List.of(this), labels);
    }

    /**
     * Writes the sum of {@code parts} (all with the same bounds) as {@code name}'s _bucket, _sum and _count samples;
     * the family header is the caller's. A loop observing meanwhile may be counted in one sample and not yet in the
     * next: the buckets are read first and the count is their total, so the samples stay consistent.
     */
    public static void writeSum(Exposition out, String name, List<Histogram> parts, String... labels) {
        double[] bounds = parts.isEmpty() ? LATENCY_SECONDS : parts.getFirst().bounds;
        long[] counts = new long[bounds.length + 1];
        long sumNanos = 0;
        for (Histogram part : parts) {
            for (int i = 0; i < counts.length; i++) {
                counts[i] += (long) SLOT.getOpaque(part.slots, i);
            }
            sumNanos += (long) SLOT.getOpaque(part.slots, part.slots.length - 1);
        }
        long cumulative = 0;
        String[] withLe = new String[labels.length + 2];
        System.arraycopy(labels, 0, withLe, 0, labels.length);
        withLe[labels.length] = "le";
        for (int i = 0; i <= bounds.length; i++) {
            cumulative += counts[i];
            withLe[labels.length + 1] = i < bounds.length ? Double.toString(bounds[i]) : "+Inf";
            out.sample(name + "_bucket", cumulative, withLe.clone());
        }
        out.sample(name + "_sum", sumNanos / 1e9, labels);
        out.sample(name + "_count", cumulative, labels);
    }
}
