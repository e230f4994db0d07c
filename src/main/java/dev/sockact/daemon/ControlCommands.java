package dev.sockact.daemon;

import dev.sockact.ctl.ControlProtocol;
import dev.sockact.event.Timer;
import dev.sockact.posix.Processes;
import dev.sockact.unit.ListenSpec;
import dev.sockact.unit.UnitProperties;

import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The control requests, answered from the manager's state on its loop: {@code list}, {@code list-units},
 * {@code status}, {@code show}, {@code cat}, {@code journal} (anyone), {@code start}, {@code stop}, {@code restart},
 * {@code reload-unit}, {@code reload}, {@code enable}, {@code disable} (root or sockactd's own user).
 * Jobs reply once every named unit has settled (active, inactive or failed), or after {@link #JOB_TIMEOUT_NANOS}.
 */
final class ControlCommands {
    /** How long start/stop/restart wait for their units to settle before replying anyway. */
    static final long JOB_TIMEOUT_NANOS = 100_000_000_000L;
    /** Most log lines a status request gets per unit. */
    static final int MAX_LOG_LINES = UnitJournal.LINES_PER_UNIT;
    private static final DateTimeFormatter TIMESTAMP =
            DateTimeFormatter.ofPattern("EEE yyyy-MM-dd HH:mm:ss zzz", Locale.ROOT);

    /** Where a reply goes: the exit status for sockctl, an error message or null, the payload or null. */
    interface Reply {
        void send(int status, String error, Object data);
    }

    private final Manager manager;

    ControlCommands(Manager manager) {
        this.manager = manager;
    }

    void handle(Map<String, Object> request, boolean privileged, int uid, Reply reply) {
        String command = String.valueOf(request.get("command"));
        List<String> units = strings(request.get("units"));
        switch (command) {
            case "list" -> reply.send(ControlProtocol.OK, null, list());
            case "status" -> status(units, number(request.get("lines"), 10), reply);
            case "show" -> show(units, reply);
            case "cat" -> cat(units, reply);
            case "journal" -> JournalQuery.handle(manager, units.isEmpty() ? "" : units.getFirst(),
                    number(request.get("lines"), MAX_LOG_LINES), request.get("after") instanceof Long a ? a : 0,
                    Boolean.TRUE.equals(request.get("wait")), reply);
            case "start", "stop", "restart", "reload-unit" -> {
                if (!privileged) {
                    reply.send(ControlProtocol.FAILURE, denied(command + " " + String.join(" ", units), uid),
                            null);
                } else {
                    job(command, units, reply);
                }
            }
            case "list-units" -> reply.send(ControlProtocol.OK, null, listUnits());
            case "enable", "disable" -> {
                if (!privileged) {
                    reply.send(ControlProtocol.FAILURE, denied(command + " " + String.join(" ", units), uid), null);
                } else {
                    install(command, units, reply);
                }
            }
            case "reload" -> {
                if (!privileged) {
                    reply.send(ControlProtocol.FAILURE, denied("reload daemon", uid), null);
                } else {
                    manager.reload();
                    reply.send(ControlProtocol.OK, null, null);
                }
            }
            default -> reply.send(ControlProtocol.FAILURE, "Unknown command '" + command + "'.", null);
        }
    }

    private static String denied(String what, int uid) {
        return "Failed to " + what + ": Access denied (uid " + uid + " may only read; changes need root or uid "
                + Processes.uid() + ", the user sockactd runs as).";
    }


    private static List<String> strings(Object o) {
        List<String> out = new ArrayList<>();
        if (o instanceof List<?> list) {
            for (Object e : list) {
                if (e instanceof String s && out.size() < 1024) {
                    out.add(s);
                }
            }
        }
        return out;
    }

    private static int number(Object o, int fallback) {
        return o instanceof Long l ? (int) Math.max(0, Math.min(MAX_LOG_LINES, l)) : fallback;
    }

    // ---- queries ---------------------------------------------------------------------------------------------

    private List<Object> list() {
        List<Object> out = new ArrayList<>();
        for (SocketRuntime s : manager.sockets().values()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("unit", s.name());
            m.put("load", "loaded");
            m.put("active", s.state().activeState().text());
            m.put("sub", s.state().text());
            // Accept=yes: the template, as systemctl list-sockets shows it (NAME@.service).
            m.put("activates", List.of(s.service() != null ? s.service().name() : s.unit().serviceName().toString()));
            m.put("listen", listens(s));
            out.add(m);
        }
        return out;
    }

    /** Every loaded unit, sockets and services (Accept=yes instances too), with systemctl list-units' columns. */
    private List<Object> listUnits() {
        List<Object> out = new ArrayList<>();
        for (SocketRuntime s : manager.sockets().values()) {
            out.add(unitRow(s.name(), s.unit().unit().description(), s.state().activeState(), s.state().text()));
        }
        for (ServiceRuntime s : manager.services().values()) {
            out.add(unitRow(s.name(), s.unit().unit().description(), s.state().activeState(), s.state().text()));
        }
        return out;
    }

    private static Map<String, Object> unitRow(String name, String description, ActiveState active, String sub) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("unit", name);
        m.put("load", "loaded");
        m.put("active", active.text());
        m.put("sub", sub);
        m.put("description", description.isEmpty() ? name : description);
        return m;
    }

    /**
     * enable/disable: the links made or removed, as {@code changes} ({@code type} symlink or unlink, {@code path},
     * {@code source}), with {@code carriesInstallInfo}, {@code markerCreated} (the folder, when this request started
     * enablement there) and {@code error} in the data, so that sockctl prints the changes before the error, as
     * systemctl does. Nothing is started or stopped here: {@code --now} is a start or stop request of its own.
     */
    private void install(String command, List<String> names, Reply reply) {
        UnitInstaller installer = new UnitInstaller(manager.config().unitDirs(), manager.newLoader());
        UnitInstaller.Outcome outcome = command.equals("enable") ? installer.enable(names) : installer.disable(names);
        List<Object> changes = new ArrayList<>();
        for (UnitInstaller.Change c : outcome.changes()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("type", c.type());
            m.put("path", c.path().toString());
            if (c.source() != null) {
                m.put("source", c.source().toString());
            }
            changes.add(m);
        }
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("changes", changes);
        data.put("carriesInstallInfo", outcome.carriesInstallInfo());
        if (outcome.markerCreated() != null) {
            data.put("markerCreated", outcome.markerCreated().toString());
        }
        if (outcome.error() != null) {
            data.put("error", outcome.error());
        }
        reply.send(outcome.error() == null ? ControlProtocol.OK : ControlProtocol.FAILURE, null, data);
    }

    private static List<Object> listens(SocketRuntime s) {
        List<Object> out = new ArrayList<>();
        for (ListenSpec l : s.unit().listens()) {
            out.add(Map.of("address", l.addressText(), "type", l.typeName()));
        }
        return out;
    }

    private void status(List<String> names, int lines, Reply reply) {
        List<Object> out = new ArrayList<>();
        int status = ControlProtocol.OK;
        for (String name : names) {
            SocketRuntime socket = manager.sockets().get(name);
            ServiceRuntime service = manager.services().get(name);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("unit", name);
            if (!putFiles(m, socket, service)) {
                out.add(m);
                status = ControlProtocol.NO_SUCH_UNIT;
                continue;
            }
            ActiveState active = socket != null ? socket.state().activeState() : service.state().activeState();
            UnitTimes times = socket != null ? socket.times() : service.times();
            var info = socket != null ? socket.unit().unit() : service.unit().unit();
            m.put("type", socket != null ? "socket" : "service");
            m.put("unitFileState", new Enablement(manager.config().unitDirs())
                    .state(name, Enablement.carriesInstallInfo(info)).text());
            m.put("unitFilePreset", Enablement.preset(name).text());
            m.put("description", info.description().isEmpty() ? name : info.description());
            m.put("active", active.text());
            m.put("sub", socket != null ? socket.state().text() : service.state().text());
            m.put("result", socket != null ? socket.result().toString() : service.result().toString());
            m.put("sinceMicros", times.since(active));
            if (socket != null) {
                List<Object> triggers = new ArrayList<>();
                for (ServiceRuntime triggered : socket.service() != null ? List.of(socket.service()) : socket.instances()) {
                    triggers.add(Map.of("unit", triggered.name(), "active", triggered.state().activeState().text()));
                }
                m.put("triggers", triggers);
                String pending = manager.pendingChange(socket);
                if (pending != null) {
                    m.put("pendingChange", pending);
                }
                m.put("listen", listens(socket));
                m.put("accept", socket.unit().accept());
                m.put("accepted", socket.accepted());
                m.put("connected", socket.connected());
                m.put("refused", socket.refused());
            } else {
                List<Object> by = new ArrayList<>();
                for (SocketRuntime s : service.sockets()) {
                    by.add(Map.of("unit", s.name(), "active", s.state().activeState().text()));
                }
                m.put("triggeredBy", by);
                m.put("mainPid", service.mainPid());
                m.put("mainCommand", service.unit().execStart().isEmpty() ? ""
                        : service.unit().execStart().getFirst().path());
                m.put("statusText", service.statusText());
            }
            if (active != ActiveState.ACTIVE && active != ActiveState.RELOADING && status == ControlProtocol.OK) {
                status = ControlProtocol.NOT_ACTIVE;
            }
            m.put("log", JournalQuery.entries(manager.journal().last(name, lines)));
            m.put("daemonPid", Processes.pid());
            out.add(m);
        }
        reply.send(status, null, out);
    }

    private void show(List<String> names, Reply reply) {
        List<Object> out = new ArrayList<>();
        int status = ControlProtocol.OK;
        for (String name : names) {
            SocketRuntime socket = manager.sockets().get(name);
            ServiceRuntime service = manager.services().get(name);
            List<Map.Entry<String, String>> props;
            if (socket != null) {
                props = showSocket(socket);
            } else if (service != null) {
                props = showService(service);
            } else {
                props = List.of(Map.entry("Id", name), Map.entry("LoadState", "not-found"),
                        Map.entry("ActiveState", "inactive"), Map.entry("SubState", "dead"));
                status = ControlProtocol.NO_SUCH_UNIT;
            }
            List<Object> pairs = new ArrayList<>();
            for (Map.Entry<String, String> e : props) {
                pairs.add(List.of(e.getKey(), e.getValue()));
            }
            out.add(Map.of("unit", name, "properties", pairs));
        }
        reply.send(status, null, out);
    }

    private static List<Map.Entry<String, String>> showSocket(SocketRuntime s) {
        List<Map.Entry<String, String>> p = withRuntime(UnitProperties.of(s.unit()), s.state().activeState(),
                s.state().text(), s.times());
        p.add(Map.entry("Result", s.result().toString()));
        p.add(Map.entry("NAccepted", Long.toString(s.accepted())));
        p.add(Map.entry("NConnections", Integer.toString(s.connected())));
        p.add(Map.entry("NRefused", Long.toString(s.refused())));
        return p;
    }

    private static List<Map.Entry<String, String>> showService(ServiceRuntime s) {
        List<Map.Entry<String, String>> p = withRuntime(UnitProperties.of(s.unit()), s.state().activeState(),
                s.state().text(), s.times());
        p.add(Map.entry("Result", s.result().toString()));
        p.add(Map.entry("MainPID", Integer.toString(s.mainPid())));
        p.add(Map.entry("ExecMainStartTimestamp", timestamp(s.mainStartMicros())));
        p.add(Map.entry("ExecMainPID", Integer.toString(s.lastMainPid())));
        p.add(Map.entry("StatusText", s.statusText()));
        p.add(Map.entry("NRestarts", Integer.toString(s.restartCount())));
        p.add(Map.entry("TriggeredBy", String.join(" ", s.sockets().stream().map(SocketRuntime::name).toList())));
        return p;
    }

    /** The unit's static properties, with the live ones after LoadState= (where systemctl show has them). */
    private static List<Map.Entry<String, String>> withRuntime(List<Map.Entry<String, String>> base,
                                                               ActiveState active, String sub, UnitTimes t) {
        List<Map.Entry<String, String>> p = new ArrayList<>();
        for (Map.Entry<String, String> e : base) {
            p.add(e);
            if (e.getKey().equals("LoadState")) {
                p.add(Map.entry("ActiveState", active.text()));
                p.add(Map.entry("SubState", sub));
                p.add(Map.entry("StateChangeTimestamp", timestamp(t.stateChange)));
                p.add(Map.entry("ActiveEnterTimestamp", timestamp(t.activeEnter)));
                p.add(Map.entry("ActiveExitTimestamp", timestamp(t.activeExit)));
                p.add(Map.entry("InactiveEnterTimestamp", timestamp(t.inactiveEnter)));
                p.add(Map.entry("InactiveExitTimestamp", timestamp(t.inactiveExit)));
            }
        }
        return p;
    }

    /** systemctl show's timestamp format ({@code Sun 2026-11-22 05:48:48 UTC}); empty for never. */
    static String timestamp(long micros) {
        if (micros <= 0) {
            return "";
        }
        return TIMESTAMP.format(Instant.ofEpochSecond(micros / 1_000_000L, (micros % 1_000_000L) * 1000)
                .atZone(ZoneId.systemDefault()));
    }

    /** The files of each unit; sockctl reads them itself (like systemctl cat). */
    private void cat(List<String> names, Reply reply) {
        List<Object> out = new ArrayList<>();
        int status = ControlProtocol.OK;
        for (String name : names) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("unit", name);
            if (!putFiles(m, manager.sockets().get(name), manager.services().get(name))) {
                status = ControlProtocol.NO_SUCH_UNIT;
            }
            out.add(m);
        }
        reply.send(status, null, out);
    }

    /** Puts load, fragmentPath and dropInPaths of the unit (a socket or a service); false when it is not loaded. */
    private static boolean putFiles(Map<String, Object> m, SocketRuntime socket, ServiceRuntime service) {
        if (socket == null && service == null) {
            m.put("load", "not-found");
            return false;
        }
        Path fragment = socket != null ? socket.unit().fragmentPath() : service.unit().fragmentPath();
        List<Path> dropIns = socket != null ? socket.unit().dropInPaths() : service.unit().dropInPaths();
        m.put("load", "loaded");
        m.put("fragmentPath", fragment == null ? "" : fragment.toString());
        m.put("dropInPaths", dropIns.stream().map(Path::toString).toList());
        return true;
    }

    // ---- jobs ------------------------------------------------------------------------------------------------

    /**
     * start, stop, restart and reload-unit through {@link Jobs} (dependencies included; a unit no socket names is
     * loaded on demand). The reply comes once every named unit's job has run and the unit has settled; a start
     * that failed because of a dependency says which.
     */
    private void job(String command, List<String> names, Reply reply) {
        List<ManagedUnit> units = new ArrayList<>();
        for (String name : names) {
            ManagedUnit unit = command.equals("stop") ? manager.loaded(name) : manager.unitNamed(name);
            if (unit == null) {
                reply.send(ControlProtocol.NOT_INSTALLED, "Failed to " + command + " " + name + ": Unit " + name
                        + (command.equals("stop") ? " not loaded." : " not found."), null);
                return;
            }
            if (command.equals("reload-unit") && !(unit instanceof ServiceRuntime)) {
                reply.send(ControlProtocol.FAILURE, "Failed to reload " + name + ": Job type reload is not"
                        + " applicable for unit " + name + ".", null);
                return;
            }
            if (!command.equals("reload-unit") && manager.startAfterPendingChange(unit, !command.equals("stop"))) {
                continue;   // stopped already for its pending change; this says whether the new definition starts
            }
            units.add(unit);
        }
        List<Jobs.StartJob> starts = new ArrayList<>();
        boolean[] done = new boolean[1];
        int[] waitingRestarts = {0};
        Timer[] timer = new Timer[1];
        java.util.function.BooleanSupplier settled = () -> done[0] || (waitingRestarts[0] == 0
                && starts.stream().allMatch(Jobs.StartJob::finished)
                && units.stream().map(ManagedUnit::activeState).allMatch(a -> a != ActiveState.ACTIVATING
                        && a != ActiveState.DEACTIVATING && a != ActiveState.RELOADING));
        Runnable finish = () -> {
            if (done[0]) {
                return;
            }
            done[0] = true;
            timer[0].cancel();
            for (Jobs.StartJob job : starts) {
                if (job.failure() != null) {
                    reply.send(ControlProtocol.FAILURE, "A dependency job for " + job.unit.name() + " failed: "
                            + job.failure() + "\nSee \"sockctl status " + job.unit.name()
                            + "\" and sockactd's log for details.", null);
                    return;
                }
            }
            if (!command.equals("stop")) {
                for (ManagedUnit unit : units) {
                    if (unit.activeState() != ActiveState.ACTIVE
                            || (command.equals("reload-unit") && ((ServiceRuntime) unit).reloadFailed())) {
                        reply.send(ControlProtocol.FAILURE, "Job for " + unit.name() + " failed.\nSee \"sockctl status "
                                + unit.name() + "\" and sockactd's log for details.", null);
                        return;
                    }
                }
            }
            reply.send(ControlProtocol.OK, null, null);
        };
        timer[0] = manager.loop().schedule(JOB_TIMEOUT_NANOS, () -> {
            if (!done[0]) {
                done[0] = true;
                reply.send(ControlProtocol.FAILURE, "Timed out waiting for " + String.join(" ", names)
                        + " to " + command + ".", null);
            }
        });
        for (ManagedUnit unit : units) {
            switch (command) {
                case "start" -> starts.add(manager.jobs().start(unit));
                case "stop" -> manager.jobs().stop(unit);
                case "reload-unit" -> ((ServiceRuntime) unit).reload();
                default -> {
                    waitingRestarts[0]++;
                    manager.jobs().restart(unit, job -> {
                        starts.add(job);
                        waitingRestarts[0]--;
                    });
                }
            }
        }
        manager.whenTrue(settled, finish);
    }
}
