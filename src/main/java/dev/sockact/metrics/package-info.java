/**
 * Prometheus metrics: the text exposition format ({@link dev.sockact.metrics.Exposition}), histograms, the
 * process's own figures, and the HTTP endpoint that serves {@code GET /metrics} on its own thread. The sources of
 * figures (the forwarding engine, the daemon's units) live with their owners and only implement {@link
 * dev.sockact.metrics.MetricsSource}. Depends on {@code activation}, {@code event}, {@code posix} and {@code log}.
 */
package dev.sockact.metrics;
