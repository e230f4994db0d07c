package dev.sockact.proxy;

import dev.sockact.metrics.Exposition;
import dev.sockact.metrics.MetricsSource;

/**
 * An engine's counts as Prometheus metrics, {@code sockact_proxy_*}: labelled with the unit when sockactd hosts
 * the engine, unlabelled in the socket-proxyd process. Read from {@link ProxyEngine#stats} at scrape time.
 */
public final class ProxyMetrics implements MetricsSource {
    private final ProxyEngine engine;
    private final String[] labels;

    /** {@code unit}: the hosted unit's name, or null for the socket-proxyd process. */
    public ProxyMetrics(ProxyEngine engine, String unit) {
        this.engine = engine;
        this.labels = unit == null ? new String[0] : new String[] {"unit", unit};
    }

    @Override
    public void collect(Exposition out) {
        ProxyStats stats = engine.stats();
        out.gauge("sockact_proxy_connections_open", "Connections open now (resolving, connecting or relaying).",
                stats.open(), labels);
        out.counter("sockact_proxy_connections_accepted_total", "Connections accepted and given a slot.",
                stats.accepted(), labels);
        out.counter("sockact_proxy_connections_refused_total",
                "Connections closed at once because --connections-max were open.", stats.refused(), labels);
        out.counter("sockact_proxy_connect_failures_total",
                "Connections closed because the target could not be resolved or connected to.",
                stats.connectFailures(), labels);
        String name = "sockact_proxy_forwarded_bytes_total";
        out.family(name, Exposition.Type.COUNTER, "Bytes written towards targets (to_target) and clients (to_client).");
        out.sample(name, stats.bytesToTarget(), with("direction", "to_target"));
        out.sample(name, stats.bytesToClients(), with("direction", "to_client"));
    }

    private String[] with(String label, String value) {
        String[] all = new String[labels.length + 2];
        System.arraycopy(labels, 0, all, 0, labels.length);
        all[labels.length] = label;
        all[labels.length + 1] = value;
        return all;
    }
}
