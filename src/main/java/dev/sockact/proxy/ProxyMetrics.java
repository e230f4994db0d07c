package dev.sockact.proxy;

import dev.sockact.metrics.Exposition;
import dev.sockact.metrics.Histogram;
import dev.sockact.metrics.MetricsSource;
import java.util.Map;

/**
 * An engine's counts as Prometheus metrics, {@code sockact_proxy_*}: labelled with the unit when sockactd hosts
 * the engine, unlabelled in the socket-proxyd process. Read from {@link ProxyEngine#stats} at scrape time.
 */
public final class ProxyMetrics implements MetricsSource {
    /** Shown at 0 before they happen, so that a rate over them exists from the first scrape. */
    private static final String[] COMMON_ERRNOS = {"ECONNREFUSED", "ETIMEDOUT"};

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
        out.gauge("sockact_proxy_connections_open",
                "Connections open now (resolving, connecting or relaying), datagram sessions included.",
                stats.open(), labels);
        out.counter("sockact_proxy_connections_accepted_total", "Connections accepted and given a slot.",
                stats.accepted(), labels);
        out.counter("sockact_proxy_connections_refused_total",
                "Connections closed at once because --connections-max were open.", stats.refused(), labels);

        String failures = "sockact_proxy_connect_failures_total";
        out.family(failures, Exposition.Type.COUNTER,
                "Connections and datagram sessions closed because connecting to the target failed, by errno.");
        Map<String, Long> byErrno = stats.connectFailuresByErrno();
        for (String errno : COMMON_ERRNOS) {
            if (!byErrno.containsKey(errno)) {
                out.sample(failures, 0, with("errno", errno));
            }
        }
        byErrno.forEach((errno, n) -> out.sample(failures, n, with("errno", errno)));
        out.counter("sockact_proxy_resolve_failures_total",
                "Connections and datagram sessions closed because the target's name could not be resolved.",
                stats.resolveFailures(), labels);

        String latency = "sockact_proxy_connect_duration_seconds";
        out.family(latency, Exposition.Type.HISTOGRAM,
                "Time from the first connect attempt to the target to connected, of each connection that got there.");
        Histogram.writeSum(out, latency, engine.connectLatencies(), labels);

        String bytes = "sockact_proxy_forwarded_bytes_total";
        out.family(bytes, Exposition.Type.COUNTER, "Bytes written towards targets (to_target) and clients "
                + "(to_client), by splice(2) from a pipe (splice) or from the loop's buffer (copy).");
        out.sample(bytes, stats.bytesToTarget() - stats.bytesToTargetSpliced(),
                with("direction", "to_target", "method", "copy"));
        out.sample(bytes, stats.bytesToTargetSpliced(), with("direction", "to_target", "method", "splice"));
        out.sample(bytes, stats.bytesToClients() - stats.bytesToClientsSpliced(),
                with("direction", "to_client", "method", "copy"));
        out.sample(bytes, stats.bytesToClientsSpliced(), with("direction", "to_client", "method", "splice"));

        out.gauge("sockact_proxy_datagram_sessions_open", "Datagram sessions (one per client address) open now.",
                stats.sessionsOpen(), labels);
        out.counter("sockact_proxy_datagram_sessions_opened_total", "Datagram sessions opened.",
                stats.sessionsOpened(), labels);
        out.counter("sockact_proxy_datagram_sessions_expired_total",
                "Datagram sessions ended by --connection-idle-time= without a datagram either way.", stats.sessionsExpired(), labels);
        out.counter("sockact_proxy_datagram_sessions_refused_total",
                "Datagrams of a new client given no session because --connections-max were open.",
                stats.sessionsRefused(), labels);
        out.counter("sockact_proxy_datagrams_dropped_total",
                "Datagrams not forwarded: no session at the limit, truncated, or a socket buffer full.",
                stats.datagramsDropped(), labels);
    }

    /** The engine's labels, then {@code more} (names and values alternating). */
    private String[] with(String... more) {
        String[] all = new String[labels.length + more.length];
        System.arraycopy(labels, 0, all, 0, labels.length);
        System.arraycopy(more, 0, all, labels.length, more.length);
        return all;
    }
}
