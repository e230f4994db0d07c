package dev.sockact.metrics;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.DoubleAdder;

/**
 * A histogram of durations in seconds with fixed bucket bounds. Observing is one atomic add on the bucket and
 * one on the sum; a scrape reads the buckets and writes them cumulatively, as Prometheus expects.
 */
public final class Histogram {
    /** 1 ms to 10 s: activation and connect times. */
    public static final double[] LATENCY_SECONDS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
            5, 10};

    private final double[] bounds;
    /** One per bound, and the last for +Inf. */
    private final AtomicLongArray buckets;
    private final DoubleAdder sum = new DoubleAdder();

    public Histogram(double[] bounds) {
        this.bounds = bounds.clone();
        this.buckets = new AtomicLongArray(bounds.length + 1);
    }

    public void observeNanos(long nanos) {
        double seconds = nanos / 1e9;
        int i = 0;
        while (i < bounds.length && seconds > bounds[i]) {
            i++;
        }
        buckets.incrementAndGet(i);
        sum.add(seconds);
    }

    /** How many were observed. */
    public long count() {
        long n = 0;
        for (int i = 0; i < buckets.length(); i++) {
            n += buckets.get(i);
        }
        return n;
    }

    /** The sum of what was observed, in seconds. */
    public double sumSeconds() {
        return sum.sum();
    }

    /** Writes {@code name}'s _bucket, _sum and _count samples (the family header is the caller's). */
    public void writeTo(Exposition out, String name, String... labels) {
        long[] counts = new long[bounds.length + 1];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = buckets.get(i);
        }
        writeBuckets(out, name, bounds, counts, sum.sum(), labels);
    }

    /** The samples of a histogram with these bucket counts (not cumulative; the last is +Inf's) and this sum. */
    static void writeBuckets(Exposition out, String name, double[] bounds, long[] counts, double sum,
                             String... labels) {
        long cumulative = 0;
        String[] withLe = new String[labels.length + 2];
        System.arraycopy(labels, 0, withLe, 0, labels.length);
        withLe[labels.length] = "le";
        for (int i = 0; i <= bounds.length; i++) {
            cumulative += counts[i];
            withLe[labels.length + 1] = i < bounds.length ? Double.toString(bounds[i]) : "+Inf";
            out.sample(name + "_bucket", cumulative, withLe.clone());
        }
        out.sample(name + "_sum", sum, labels);
        out.sample(name + "_count", cumulative, labels);
    }
}
