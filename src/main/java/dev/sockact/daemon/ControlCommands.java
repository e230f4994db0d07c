package dev.sockact.daemon;

import dev.sockact.ctl.ControlProtocol;
import dev.sockact.ctl.InstallChange;
import dev.sockact.ctl.ListenEntry;
import dev.sockact.ctl.Reply;
import dev.sockact.ctl.Request;
import dev.sockact.ctl.ServiceCounters;
import dev.sockact.ctl.ShownUnit;
import dev.sockact.ctl.ShownUnit.Property;
import dev.sockact.ctl.SocketCounters;
import dev.sockact.ctl.SocketEntry;
import dev.sockact.ctl.UnitEntry;
import dev.sockact.ctl.UnitFiles;
import dev.sockact.ctl.UnitStatus;
import dev.sockact.ctl.UnitStatus.LogLine;
import dev.sockact.ctl.UnitStatus.UnitRef;
import dev.sockact.event.Timer;
import dev.sockact.posix.Processes;
import dev.sockact.unit.Condition;
import dev.sockact.unit.ListenSpec;
import dev.sockact.unit.SocketUnit;
import dev.sockact.unit.UnitInfo;
import dev.sockact.unit.UnitProperties;

import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The control requests ({@link Request}), answered from the manager's state on its loop: {@code list},
 * {@code list-units}, {@code status}, {@code show}, {@code cat}, {@code journal} (anyone), {@code start}, {@code stop},
 * {@code restart}, {@code reload-unit}, {@code reload}, {@code enable}, {@code disable}, {@code reset-failed} (root or
 * sockactd's own user).
 * Jobs reply once every named unit has settled (active, inactive or failed), or after {@link #JOB_TIMEOUT_NANOS}.
 */
final class ControlCommands {
    /** How long start/stop/restart wait for their units to settle before replying anyway. */
    static final long JOB_TIMEOUT_NANOS = 100_000_000_000L;
    /** Most log lines a status request gets per unit. */
    static final int MAX_LOG_LINES = UnitJournal.LINES_PER_UNIT;
    private static final DateTimeFormatter TIMESTAMP =
            DateTimeFormatter.ofPattern("EEE yyyy-MM-dd HH:mm:ss zzz", Locale.ROOT);

    private final Manager manager;

    ControlCommands(Manager manager) {
        this.manager = manager;
    }

    /** Answers {@code request} through {@code reply}, at once or (for a job) once its units have settled. */
    void handle(Request request, boolean privileged, int uid, Consumer<Reply> reply) {
        switch (request) {
            case Request.ListSockets _ -> reply.accept(list());
            case Request.ListUnits _ -> reply.accept(listUnits());
            case Request.Status s -> reply.accept(status(s.units(), Math.min(MAX_LOG_LINES, s.lines())));
            case Request.Show s -> reply.accept(show(s.units()));
            case Request.Cat c -> reply.accept(cat(c.units()));
            case Request.Journal j -> JournalQuery.handle(manager, j, reply);
            case Request.Job j -> {
                if (!privileged) {
                    reply.accept(denied(j.verb() + " " + String.join(" ", j.units()), uid));
                } else {
                    job(j, reply);
                }
            }
            case Request.Enable e -> reply.accept(privileged ? install(e.units(), true)
                    : denied("enable " + String.join(" ", e.units()), uid));
            case Request.Disable d -> reply.accept(privileged ? install(d.units(), false)
                    : denied("disable " + String.join(" ", d.units()), uid));
            case Request.ResetFailed r -> reply.accept(privileged ? resetFailed(r.units())
                    : denied("reset failed state", uid));
            case Request.Reload _ -> {
                if (!privileged) {
                    reply.accept(denied("reload daemon", uid));
                } else {
                    manager.reload();
                    reply.accept(new Reply.Done());
                }
            }
        }
    }

    private static Reply.Failure denied(String what, int uid) {
        return new Reply.Failure(ControlProtocol.FAILURE, "Failed to " + what + ": Access denied (uid " + uid
                + " may only read; changes need root or uid " + Processes.uid() + ", the user sockactd runs as).");
    }

    // ---- queries ---------------------------------------------------------------------------------------------

    private Reply.SocketList list() {
        List<SocketEntry> out = new ArrayList<>();
        for (SocketRuntime s : manager.sockets().values()) {
            // Accept=yes: the template, as systemctl list-sockets shows it (NAME@.service).
            String activates = s.service() != null ? s.service().name() : s.unit().serviceName().toString();
            out.add(new SocketEntry(s.name(), "loaded", s.state().activeState().text(), s.state().text(),
                    List.of(activates), listens(s)));
        }
        return new Reply.SocketList(out);
    }

    /** Every loaded unit, sockets and services (Accept=yes instances too), with systemctl list-units' columns. */
    private Reply.UnitList listUnits() {
        List<UnitEntry> out = new ArrayList<>();
        for (SocketRuntime s : manager.sockets().values()) {
            out.add(unitEntry(s.name(), s.unit().unit().description(), s.state().activeState(), s.state().text()));
        }
        for (ServiceRuntime s : manager.services().values()) {
            out.add(unitEntry(s.name(), s.unit().unit().description(), s.state().activeState(), s.state().text()));
        }
        return new Reply.UnitList(out);
    }

    private static UnitEntry unitEntry(String name, String description, ActiveState active, String sub) {
        return new UnitEntry(name, "loaded", active.text(), sub, description.isEmpty() ? name : description);
    }

    /**
     * enable/disable: the links made or removed, whether the units carry [Install] information, the folder where
     * this request started enablement, and the error. Nothing is started or stopped here: {@code --now} is a start
     * or stop request of its own.
     */
    private Reply.Installed install(List<String> names, boolean enable) {
        UnitInstaller installer = new UnitInstaller(manager.config().unitDirs(), manager.newLoader());
        UnitInstaller.Outcome outcome = enable ? installer.enable(names) : installer.disable(names);
        List<InstallChange> changes = new ArrayList<>();
        for (UnitInstaller.Change c : outcome.changes()) {
            InstallChange.Kind kind = c.type().equals("symlink") ? InstallChange.Kind.SYMLINK : InstallChange.Kind.UNLINK;
            changes.add(new InstallChange(kind, c.path().toString(), c.source() == null ? null : c.source().toString()));
        }
        return new Reply.Installed(changes, outcome.carriesInstallInfo(),
                outcome.markerCreated() == null ? null : outcome.markerCreated().toString(), outcome.error());
    }

    /** PollLimitBurst= per PollLimitIntervalSec=, or "off" when either is 0 (sd_event_source_set_ratelimit()). */
    static String pollLimit(SocketUnit unit) {
        if (unit.pollLimitInterval().micros() == 0 || unit.pollLimitBurst() == 0) {
            return "off";
        }
        return unit.pollLimitBurst() + " per " + unit.pollLimitInterval().format();
    }

    private static List<ListenEntry> listens(SocketRuntime s) {
        List<ListenEntry> out = new ArrayList<>();
        for (ListenSpec l : s.unit().listens()) {
            out.add(new ListenEntry(l.addressText(), l.typeName()));
        }
        return out;
    }

    private Reply.Statuses status(List<String> names, int lines) {
        List<UnitStatus> out = new ArrayList<>();
        for (String name : names) {
            SocketRuntime socket = manager.sockets().get(name);
            ServiceRuntime service = manager.services().get(name);
            if (socket != null) {
                List<UnitRef> triggers = new ArrayList<>();
                for (ServiceRuntime triggered : socket.service() != null ? List.of(socket.service()) : socket.instances()) {
                    triggers.add(new UnitRef(triggered.name(), triggered.state().activeState().text()));
                }
                out.add(new UnitStatus.Socket(common(name, files(name, socket, null), socket.unit().unit(),
                        socket.state().activeState(), socket.state().text(), socket.result().toString(), socket.times(),
                        lines), triggers, manager.pendingChange(socket), listens(socket), socket.unit().accept(),
                        pollLimit(socket.unit()), socket.counters()));
            } else if (service != null) {
                List<UnitRef> by = new ArrayList<>();
                for (SocketRuntime s : service.sockets()) {
                    by.add(new UnitRef(s.name(), s.state().activeState().text()));
                }
                String mainCommand = service.unit().execStart().isEmpty() ? ""
                        : service.unit().execStart().getFirst().path();
                out.add(new UnitStatus.Service(common(name, files(name, null, service), service.unit().unit(),
                        service.state().activeState(), service.state().text(), service.result().toString(),
                        service.times(), lines), by, service.mainPid(), mainCommand, service.statusText(),
                        service.counters()));
            } else {
                out.add(new UnitStatus.NotFound(name));
            }
        }
        return new Reply.Statuses(out);
    }

    private UnitStatus.Common common(String name, UnitFiles files, UnitInfo info, ActiveState active, String sub,
                                     String result, UnitTimes times, int lines) {
        List<LogLine> log = JournalQuery.lines(manager.journal().last(name, lines));
        ManagedUnit unit = manager.loaded(name);
        StartChecks checks = unit == null ? new StartChecks() : unit.startChecks();
        return new UnitStatus.Common(files,
                new Enablement(manager.config().unitDirs()).state(name, Enablement.carriesInstallInfo(info)).text(),
                Enablement.preset(name).text(), info.description().isEmpty() ? name : info.description(),
                active.text(), sub, result, times.since(active), log, Processes.pid(),
                failedTest(checks.conditions(), false), failedTest(checks.asserts(), true));
    }

    /**
     * A failed condition or assert test as systemctl status shows it: every unmet condition; of the asserts, one
     * (the last unmet non-triggering one, else the first unmet). Null when the test passed or never ran.
     */
    private static UnitStatus.StartTest failedTest(StartChecks.Outcome outcome, boolean asserts) {
        if (outcome == null || outcome.passed()) {
            return null;
        }
        List<Condition> unmet = outcome.unmet();
        if (asserts && !unmet.isEmpty()) {
            Condition shown = unmet.getFirst();
            for (Condition c : unmet) {
                if (!c.trigger()) {
                    shown = c;
                }
            }
            unmet = List.of(shown);
        }
        return new UnitStatus.StartTest(outcome.micros(), unmet.stream().map(Condition::display).toList());
    }

    /** reset-failed: the named units, or every loaded one; a name that is not loaded fails the request. */
    private Reply resetFailed(List<String> names) {
        List<ManagedUnit> units = new ArrayList<>();
        for (String name : names) {
            ManagedUnit unit = manager.loaded(name);
            if (unit == null) {
                return new Reply.Failure(ControlProtocol.FAILURE, "Failed to reset failed state of unit " + name
                        + ": Unit " + name + " not loaded.");
            }
            units.add(unit);
        }
        (names.isEmpty() ? List.copyOf(manager.units()) : units).forEach(ManagedUnit::resetFailed);
        return new Reply.Done();
    }

    private Reply.Properties show(List<String> names) {
        List<ShownUnit> out = new ArrayList<>();
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
            }
            out.add(new ShownUnit(name, props.stream().map(e -> new Property(e.getKey(), e.getValue())).toList()));
        }
        return new Reply.Properties(out);
    }

    private static List<Map.Entry<String, String>> showSocket(SocketRuntime s) {
        List<Map.Entry<String, String>> p = withRuntime(UnitProperties.of(s.unit()), s.state().activeState(),
                s.state().text(), s.times());
        p.add(Map.entry("Result", s.result().toString()));
        SocketCounters c = s.counters();
        p.add(Map.entry("NAccepted", Long.toString(c.accepted())));
        p.add(Map.entry("NConnections", Long.toString(c.connected())));
        p.add(Map.entry("NRefused", Long.toString(c.refused())));
        p.add(Map.entry("PollLimitHits", Long.toString(c.pollLimitHits())));
        p.add(Map.entry("TriggerLimitHits", Long.toString(c.triggerLimitHits())));
        p.add(Map.entry("NActivations", Long.toString(c.activations())));
        p.add(Map.entry("ActivationTimeUSec", Long.toString(c.activationMicros())));
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
        ServiceCounters c = s.counters();
        p.add(Map.entry("NRestarts", Long.toString(c.restarts())));
        p.add(Map.entry("NStarts", Long.toString(c.starts())));
        p.add(Map.entry("NFailures", failures(c)));
        p.add(Map.entry("TriggeredBy", String.join(" ", s.sockets().stream().map(SocketRuntime::name).toList())));
        return p;
    }

    /** NFailures=: "exit-code:2 timeout:1", by result word in alphabetical order; empty when none. */
    static String failures(ServiceCounters c) {
        StringJoiner out = new StringJoiner(" ");
        new TreeMap<>(c.failures()).forEach((result, n) -> out.add(result + ":" + n));
        return out.toString();
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
    private Reply.Files cat(List<String> names) {
        List<UnitFiles> out = new ArrayList<>();
        for (String name : names) {
            out.add(files(name, manager.sockets().get(name), manager.services().get(name)));
        }
        return new Reply.Files(out);
    }

    /** The files of the unit (a socket or a service, or neither when it is not loaded). */
    private static UnitFiles files(String name, SocketRuntime socket, ServiceRuntime service) {
        if (socket == null && service == null) {
            return UnitFiles.notFound(name);
        }
        Path fragment = socket != null ? socket.unit().fragmentPath() : service.unit().fragmentPath();
        List<Path> dropIns = socket != null ? socket.unit().dropInPaths() : service.unit().dropInPaths();
        return new UnitFiles(name, true, fragment == null ? "" : fragment.toString(),
                dropIns.stream().map(Path::toString).toList());
    }

    // ---- jobs ------------------------------------------------------------------------------------------------

    /**
     * start, stop, restart and reload-unit through {@link Jobs} (dependencies included; a unit no socket names is
     * loaded on demand). The reply comes once every named unit's job has run and the unit has settled; a start
     * that failed because of a dependency says which.
     */
    private void job(Request.Job job, Consumer<Reply> reply) {
        String verb = job.verb();
        boolean stop = job instanceof Request.Stop;
        boolean reload = job instanceof Request.ReloadUnit;
        List<ManagedUnit> units = new ArrayList<>();
        for (String name : job.units()) {
            ManagedUnit unit = stop ? manager.loaded(name) : manager.unitNamed(name);
            if (unit == null) {
                reply.accept(new Reply.Failure(ControlProtocol.NOT_INSTALLED, "Failed to " + verb + " " + name
                        + ": Unit " + name + (stop ? " not loaded." : " not found.")));
                return;
            }
            if (reload && !(unit instanceof ServiceRuntime)) {
                reply.accept(new Reply.Failure(ControlProtocol.FAILURE, "Failed to reload " + name
                        + ": Job type reload is not applicable for unit " + name + "."));
                return;
            }
            if (!reload && manager.startAfterPendingChange(unit, !stop)) {
                continue;   // stopped already for its pending change; this says whether the new definition starts
            }
            units.add(unit);
        }
        List<Jobs.StartJob> starts = new ArrayList<>();
        boolean[] done = new boolean[1];
        int[] waitingRestarts = {0};
        Timer[] timer = new Timer[1];
        BooleanSupplier settled = () -> done[0] || (waitingRestarts[0] == 0
                && starts.stream().allMatch(Jobs.StartJob::finished)
                && units.stream().map(ManagedUnit::activeState).allMatch(a -> a != ActiveState.ACTIVATING
                        && a != ActiveState.DEACTIVATING && a != ActiveState.RELOADING));
        Runnable finish = () -> {
            if (done[0]) {
                return;
            }
            done[0] = true;
            timer[0].cancel();
            reply.accept(outcome(starts, stop ? List.of() : units, reload));
        };
        timer[0] = manager.loop().schedule(JOB_TIMEOUT_NANOS, () -> {
            if (!done[0]) {
                done[0] = true;
                reply.accept(new Reply.Failure(ControlProtocol.FAILURE, "Timed out waiting for "
                        + String.join(" ", job.units()) + " to " + verb + "."));
            }
        });
        for (ManagedUnit unit : units) {
            switch (job) {
                case Request.Start _ -> starts.add(manager.jobs().start(unit));
                case Request.Stop _ -> manager.jobs().stop(unit);
                case Request.ReloadUnit _ -> ((ServiceRuntime) unit).reload();
                case Request.Restart _ -> {
                    waitingRestarts[0]++;
                    manager.jobs().restart(unit, started -> {
                        starts.add(started);
                        waitingRestarts[0]--;
                    });
                }
            }
        }
        manager.whenTrue(settled, finish);
    }

    /**
     * A settled job's reply: the first failed assert or dependency, else the first of {@code mustBeActive} that is
     * not active (or whose reload failed) and was not skipped by its conditions, else done.
     */
    private static Reply outcome(List<Jobs.StartJob> starts, List<ManagedUnit> mustBeActive, boolean reload) {
        for (Jobs.StartJob start : starts) {
            if (start.result() == Jobs.JobResult.ASSERT) {
                return new Reply.Failure(ControlProtocol.FAILURE, "Assertion failed on job for " + start.unit.name()
                        + ".");
            }
            if (start.failure() != null) {
                return new Reply.Failure(ControlProtocol.FAILURE, "A dependency job for " + start.unit.name()
                        + " failed: " + start.failure() + "\nSee \"sockctl status " + start.unit.name()
                        + "\" and sockactd's log for details.");
            }
        }
        for (ManagedUnit unit : mustBeActive) {
            if (starts.stream().anyMatch(j -> j.unit == unit && j.result() == Jobs.JobResult.SKIPPED)) {
                continue;   // a condition failed: not started, and no failure (systemctl exits 0)
            }
            if (unit.activeState() != ActiveState.ACTIVE || (reload && ((ServiceRuntime) unit).reloadFailed())) {
                return new Reply.Failure(ControlProtocol.FAILURE, "Job for " + unit.name()
                        + " failed.\nSee \"sockctl status " + unit.name() + "\" and sockactd's log for details.");
            }
        }
        return new Reply.Done();
    }
}
