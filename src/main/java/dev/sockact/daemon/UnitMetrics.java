package dev.sockact.daemon;

import dev.sockact.ctl.ServiceCounters;
import dev.sockact.ctl.SocketCounters;
import dev.sockact.metrics.Exposition;
import dev.sockact.metrics.Histogram;
import dev.sockact.metrics.MetricsSource;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.ToDoubleFunction;

/**
 * sockactd's units as Prometheus metrics ({@code sockact_unit_*}, {@code sockact_socket_*},
 * {@code sockact_service_*}), labelled by unit, and the {@code sockact_proxy_*} families of each proxy sockactd
 * hosts, labelled with its service. The figures are the {@link SocketCounters} and {@link ServiceCounters} that
 * {@code sockctl status} and {@code sockctl show} print, copied on the manager's loop into one snapshot per
 * scrape: the runtimes belong to that loop, so the metrics thread only waits for a task there, never takes a lock.
 * A hosted proxy's figures are its engine's per-loop counters, read on the metrics thread as socket-proxyd's are.
 */
final class UnitMetrics implements MetricsSource {
    private static final System.Logger LOG = System.getLogger("sockactd");
    /** A scrape waits this long for the manager's loop; a busy loop gives a scrape without unit figures. */
    private static final long SNAPSHOT_TIMEOUT_MILLIS = 2000;

    private final Manager manager;

    UnitMetrics(Manager manager) {
        this.manager = manager;
    }

    /** A socket's figures at the moment of the snapshot. */
    private record SocketFigures(String unit, ActiveState state, String result, SocketCounters counts,
                                 Histogram triggerToReady) {
    }

    /** A service's figures at the moment of the snapshot; {@code hosted}: its hosted proxy's metrics, or null. */
    private record ServiceFigures(String unit, ActiveState state, String result, ServiceCounters counts,
                                  MetricsSource hosted) {
    }

    private record Snapshot(List<SocketFigures> sockets, List<ServiceFigures> services) {
    }

    @Override
    public void collect(Exposition out) {
        Snapshot units;
        try {
            CompletableFuture<Snapshot> snapshot = new CompletableFuture<>();
            manager.loop().execute(() -> snapshot.complete(snapshot()));
            units = snapshot.get(SNAPSHOT_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            LOG.log(Level.WARNING, "Metrics: the manager did not answer within " + SNAPSHOT_TIMEOUT_MILLIS
                    + " ms; this scrape has no unit figures.");
            out.gauge("sockact_units_snapshot_ok", "Whether this scrape holds the units' figures (1) or timed out (0).", 0);
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        out.gauge("sockact_units_snapshot_ok", "Whether this scrape holds the units' figures (1) or timed out (0).", 1);
        out.family("sockact_unit_state", Exposition.Type.GAUGE,
                "The unit's ActiveState=: 1 for the state it is in, 0 for the others.");
        for (SocketFigures f : units.sockets) {
            state(out, f.unit, f.state);
        }
        for (ServiceFigures f : units.services) {
            state(out, f.unit, f.state);
        }
        out.family("sockact_unit_result", Exposition.Type.GAUGE,
                "The unit's last Result= (success, exit-code, trigger-limit-hit...), as a label with the value 1.");
        for (SocketFigures f : units.sockets) {
            out.sample("sockact_unit_result", 1, "unit", f.unit, "result", f.result);
        }
        for (ServiceFigures f : units.services) {
            out.sample("sockact_unit_result", 1, "unit", f.unit, "result", f.result);
        }

        List<SocketFigures> sockets = units.sockets;
        family(out, sockets, "sockact_socket_connections_accepted_total", Exposition.Type.COUNTER,
                "Connections accepted by an Accept=yes socket since sockactd loaded it (NAccepted=).",
                f -> f.counts.accepted());
        family(out, sockets, "sockact_socket_connections_open", Exposition.Type.GAUGE,
                "Connections of an Accept=yes socket whose instance runs now (NConnections=).",
                f -> f.counts.connected());
        family(out, sockets, "sockact_socket_connections_refused_total", Exposition.Type.COUNTER,
                "Connections refused by MaxConnections=, MaxConnectionsPerSource= or the trigger limit (NRefused=).",
                f -> f.counts.refused());
        family(out, sockets, "sockact_socket_poll_limit_hits_total", Exposition.Type.COUNTER,
                "How often PollLimitBurst= paused a listening fd since the socket started (PollLimitHits=).",
                f -> f.counts.pollLimitHits());
        family(out, sockets, "sockact_socket_trigger_limit_hits_total", Exposition.Type.COUNTER,
                "How often TriggerLimitBurst= stopped the socket since sockactd loaded it (TriggerLimitHits=).",
                f -> f.counts.triggerLimitHits());
        String ready = "sockact_socket_trigger_to_ready_seconds";
        out.family(ready, Exposition.Type.HISTOGRAM,
                "Time from the socket's trigger to its service being active, per trigger that got there.");
        for (SocketFigures f : sockets) {
            f.triggerToReady.writeTo(out, ready, "unit", f.unit);
        }

        List<ServiceFigures> services = units.services;
        out.family("sockact_service_starts_total", Exposition.Type.COUNTER,
                "Starts of the service begun since sockactd loaded it (NStarts=).");
        for (ServiceFigures f : services) {
            out.sample("sockact_service_starts_total", f.counts.starts(), "unit", f.unit);
        }
        out.family("sockact_service_restarts_total", Exposition.Type.COUNTER,
                "Automatic restarts of the service (NRestarts=).");
        for (ServiceFigures f : services) {
            out.sample("sockact_service_restarts_total", f.counts.restarts(), "unit", f.unit);
        }
        out.family("sockact_service_failures_total", Exposition.Type.COUNTER,
                "Runs of the service that ended failed, by Result= (NFailures=); a result appears once it happened.");
        for (ServiceFigures f : services) {
            Map<String, Long> byResult = new TreeMap<>(f.counts.failures());
            byResult.forEach((result, n) -> out.sample("sockact_service_failures_total", n, "unit", f.unit,
                    "result", result));
        }
        for (ServiceFigures f : services) {
            if (f.hosted != null) {
                f.hosted.collect(out);
            }
        }
    }

    private static void state(Exposition out, String unit, ActiveState current) {
        for (ActiveState state : ActiveState.values()) {
            out.sample("sockact_unit_state", current == state ? 1 : 0, "unit", unit, "state", state.text());
        }
    }

    private static void family(Exposition out, List<SocketFigures> sockets, String name, Exposition.Type type,
                               String help, ToDoubleFunction<SocketFigures> value) {
        out.family(name, type, help);
        for (SocketFigures f : sockets) {
            out.sample(name, value.applyAsDouble(f), "unit", f.unit);
        }
    }

    /** On the manager's loop. */
    private Snapshot snapshot() {
        List<SocketFigures> sockets = new ArrayList<>();
        for (SocketRuntime s : manager.sockets().values()) {
            sockets.add(new SocketFigures(s.name(), s.state().activeState(), s.result().toString(), s.counters(),
                    s.triggerToReady()));
        }
        List<ServiceFigures> services = new ArrayList<>();
        for (ServiceRuntime s : manager.services().values()) {
            HostedProxy hosted = s.hostedProxy();
            services.add(new ServiceFigures(s.name(), s.state().activeState(), s.result().toString(), s.counters(),
                    hosted == null ? null : hosted.metrics()));
        }
        return new Snapshot(sockets, services);
    }
}
