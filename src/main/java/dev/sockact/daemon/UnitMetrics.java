package dev.sockact.daemon;

import dev.sockact.metrics.Exposition;
import dev.sockact.metrics.MetricsSource;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.ToDoubleFunction;

/**
 * sockactd's units as Prometheus metrics ({@code sockact_unit_*}, {@code sockact_socket_*},
 * {@code sockact_service_*}), labelled by unit. The figures are the ones {@code sockctl show} prints (NAccepted=,
 * NConnections=, NRefused=, NRestarts=, ActiveState=), copied on the manager's loop into one snapshot per scrape:
 * the runtimes belong to that loop, so the metrics thread only waits for a task there, never takes a lock.
 */
final class UnitMetrics implements MetricsSource {
    private static final System.Logger LOG = System.getLogger("sockactd");
    /** A scrape waits this long for the manager's loop; a busy loop gives a scrape without unit figures. */
    private static final long SNAPSHOT_TIMEOUT_MILLIS = 2000;

    private final Manager manager;

    UnitMetrics(Manager manager) {
        this.manager = manager;
    }

    /** One unit's figures at the moment of the snapshot. */
    private record Figures(String unit, ActiveState state, boolean socket, long accepted, int connections,
                           long refused, int restarts, String result) {
    }

    @Override
    public void collect(Exposition out) {
        List<Figures> units;
        try {
            CompletableFuture<List<Figures>> snapshot = new CompletableFuture<>();
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
        for (Figures f : units) {
            for (ActiveState state : ActiveState.values()) {
                out.sample("sockact_unit_state", f.state == state ? 1 : 0, "unit", f.unit, "state", state.text());
            }
        }
        family(out, units, true, "sockact_socket_connections_accepted_total", Exposition.Type.COUNTER,
                "Connections accepted by an Accept=yes socket since it started (NAccepted=).", Figures::accepted);
        family(out, units, true, "sockact_socket_connections_open", Exposition.Type.GAUGE,
                "Connections of an Accept=yes socket whose instance runs now (NConnections=).", Figures::connections);
        family(out, units, true, "sockact_socket_connections_refused_total", Exposition.Type.COUNTER,
                "Connections refused by MaxConnections= or MaxConnectionsPerSource= (NRefused=).", Figures::refused);
        family(out, units, false, "sockact_service_restarts_total", Exposition.Type.COUNTER,
                "Automatic restarts of the service (NRestarts=).", Figures::restarts);
        out.family("sockact_unit_result", Exposition.Type.GAUGE,
                "The unit's last Result= (success, exit-code, trigger-limit-hit...), as a label with the value 1.");
        for (Figures f : units) {
            out.sample("sockact_unit_result", 1, "unit", f.unit, "result", f.result);
        }
    }

    private static void family(Exposition out, List<Figures> units, boolean sockets, String name,
                               Exposition.Type type, String help, ToDoubleFunction<Figures> value) {
        out.family(name, type, help);
        for (Figures f : units) {
            if (f.socket == sockets) {
                out.sample(name, value.applyAsDouble(f), "unit", f.unit);
            }
        }
    }

    /** On the manager's loop. */
    private List<Figures> snapshot() {
        List<Figures> units = new ArrayList<>();
        for (SocketRuntime s : manager.sockets().values()) {
            units.add(new Figures(s.name(), s.state().activeState(), true, s.accepted(), s.connected(), s.refused(),
                    0, s.result().toString()));
        }
        for (ServiceRuntime s : manager.services().values()) {
            units.add(new Figures(s.name(), s.state().activeState(), false, 0, 0, 0, s.restartCount(),
                    s.result().toString()));
        }
        return units;
    }
}
