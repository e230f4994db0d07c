package dev.sockact.metrics;

/**
 * Something that has figures to show: called on the metrics thread for every scrape. It reads what its owner
 * publishes for readers (counters read opaquely, snapshots) and never takes a lock the forwarding or activation
 * paths take.
 */
@FunctionalInterface
public interface MetricsSource {
    void collect(Exposition out);
}
