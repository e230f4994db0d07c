package dev.sockact.daemon;

import dev.sockact.activation.ConnectionAcceptor;
import dev.sockact.activation.ListenSockets;
import dev.sockact.event.EventLoop;
import dev.sockact.event.Timer;
import dev.sockact.event.Watch;
import dev.sockact.posix.ErrnoException;
import dev.sockact.posix.ExitStatus;
import dev.sockact.posix.Fd;
import dev.sockact.posix.Pidfd;
import dev.sockact.posix.Processes;
import dev.sockact.unit.Diagnostic;
import dev.sockact.unit.ExecCommand;
import dev.sockact.unit.ManagerScope;
import dev.sockact.unit.ServiceUnit;
import dev.sockact.unit.SocketUnit;
import dev.sockact.unit.XdgDirectories;
import dev.sockact.unit.load.LoadResult;
import dev.sockact.unit.load.UnitLoader;

import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * sockactd's manager: loads the units ({@link UnitRegistry}), starts those that start with the daemon
 * ({@link Enablement}), reloads them, and stops them all on request ({@link Shutdown}). Owns the event loop; every
 * unit's state lives on its thread, and every unit's state machine sees the manager through a {@link UnitContext}.
 */
public final class Manager {
    private static final System.Logger LOG = System.getLogger("sockactd");
    /** Bound on the number of units loaded; more are skipped (logged). */
    public static final int MAX_UNITS = UnitRegistry.MAX_UNITS;

    /**
     * How the daemon runs.
     *
     * @param unitDirs         unit folders, highest priority first
     * @param user             the per-user manager (--user)
     * @param runtimeDirectory where runtime files (notify sockets) go
     * @param standbyMax       how many services may be kept ready to start at once ({@link Standby}; 0: none)
     */
    public record Config(List<Path> unitDirs, boolean user, Path runtimeDirectory, int standbyMax) {
        /** --standby-max's default: a few processes of a few hundred KiB, for the sockets activated most. */
        public static final int DEFAULT_STANDBY_MAX = 8;
        /** --standby-max's bound: each standby is a process, and holds copies of its sockets. */
        public static final int STANDBY_MAX_BOUND = 1024;

        public Config {
            unitDirs = List.copyOf(unitDirs);
            if (standbyMax < 0 || standbyMax > STANDBY_MAX_BOUND) {
                throw new IllegalArgumentException("standbyMax must be 0.." + STANDBY_MAX_BOUND + ": " + standbyMax);
            }
        }

        public Config(List<Path> unitDirs, boolean user, Path runtimeDirectory) {
            this(unitDirs, user, runtimeDirectory, DEFAULT_STANDBY_MAX);
        }
    }

    private final Config config;
    private final EventLoop loop;
    private final Map<String, String> managerEnvironment;
    private final UnitJournal journal = new UnitJournal();
    private final UnitRegistry registry;
    private final Map<String, SocketRuntime> sockets;
    private final Map<String, ServiceRuntime> services;
    private final Shutdown shutdown;
    /** Set by the SIGTERM/SIGINT handler's thread: loading and starting give up early, before the loop runs. */
    private volatile boolean stopRequested;
    private int notifyIds;
    /** Sockets a daemon-reload removed, until they are stopped. */
    private final List<SocketRuntime> retired = new ArrayList<>();
    /** Sockets whose new definition waits for them to stop (see {@link #replaceWhenDown}), with the change. */
    private final Map<SocketRuntime, PendingChange> pendingChanges = new IdentityHashMap<>();

    /** A reload's change waiting for a socket to stop: what changed, and whether the new definition then starts. */
    private static final class PendingChange {
        final String change;
        boolean startAfter = true;

        PendingChange(String change) {
            this.change = change;
        }
    }
    private final List<Waiter> waiters = new ArrayList<>();
    /** PrivateNetwork=/PrivateTmp= namespaces, held while a service using them is active (JoinsNamespaceOf=). */
    private final SharedNamespaces namespaces = new SharedNamespaces();
    private boolean waitersPosted;
    private final Jobs jobs = new Jobs(this);
    private final SpawnPool spawnPool;
    private final StandbySlots standbySlots;
    private final HostedThreads hostedThreads = new HostedThreads();

    /** An action that runs on the loop once {@code condition} holds (checked after every state change). */
    private record Waiter(BooleanSupplier condition, Runnable action) {
    }

    public Manager(Config config, EventLoop loop) {
        this.config = config;
        this.loop = loop;
        this.spawnPool = new SpawnPool(loop);
        this.standbySlots = new StandbySlots(config.standbyMax());
        this.managerEnvironment = UnitEnvironment.managerEnvironment(config.user());
        this.registry = new UnitRegistry(config.unitDirs(), config.user() ? ManagerScope.USER : ManagerScope.SYSTEM,
                new Context(), journal);
        this.sockets = registry.sockets();
        this.services = registry.services();
        this.shutdown = new Shutdown(() -> List.copyOf(services.values()),
                () -> {
                    List<SocketRuntime> all = new ArrayList<>(sockets.values());
                    all.addAll(retired);
                    return all;
                }, loop::stop);
    }

    /**
     * sockactd's own unit folders, highest priority first: systemd's layout under {@code sockact/} instead of
     * {@code systemd/} (so sockactd does not run the units systemd runs). {@link UnitLoader#defaultUnitDirs} is
     * systemd's own search path, where {@code sockctl verify} looks. {@code /etc/sockact/units} is the folder the
     * Debian package ships for the administrator's units (packaging/), after {@code /etc/sockact/system}, where
     * {@code sockctl enable} writes its links.
     */
    public static List<Path> defaultUnitDirs(boolean user) {
        if (!user) {
            return List.of(Path.of("/etc/sockact/system"), Path.of("/etc/sockact/units"),
                    Path.of("/run/sockact/system"), Path.of("/usr/lib/sockact/system"));
        }
        XdgDirectories xdg = XdgDirectories.current();
        List<Path> dirs = new ArrayList<>(List.of(Path.of(xdg.config(), "sockact/user"), Path.of("/etc/sockact/user")));
        xdg.runtime().ifPresent(runtime -> dirs.add(Path.of(runtime, "sockact/user")));
        dirs.add(Path.of(xdg.data(), "sockact/user"));
        dirs.add(Path.of("/usr/lib/sockact/user"));
        return dirs;
    }

    EventLoop loop() {
        return loop;
    }

    boolean shuttingDown() {
        return shutdown.requested();
    }

    /** The loaded socket units, by name (for tests and the control server). */
    public Map<String, SocketState> socketStates() {
        Map<String, SocketState> result = new LinkedHashMap<>();
        sockets.forEach((name, socket) -> result.put(name, socket.state()));
        return result;
    }

    /**
     * A stop was asked for (any thread). The shutdown itself runs on the loop; this makes a start-up that is still
     * loading or starting units stop doing so, so that the stop is not held up behind thousands of units.
     */
    public void requestStop() {
        stopRequested = true;
    }

    /** Loads every *.socket; a unit that does not load is reported and skipped. Returns the number loaded. */
    public int load() {
        return registry.loadAll(() -> stopRequested);
    }

    /** A loader over the unit folders as they are now (a daemon-reload or sockctl enable reads them afresh). */
    UnitLoader newLoader() {
        return registry.newLoader();
    }

    /**
     * Starts the units sockactd starts with (each with its dependencies): every loaded socket unit where nothing
     * was enabled or disabled, else exactly the enabled socket units and services (see {@link Enablement}).
     */
    public void startAll() {
        if (stopRequested) {
            return;
        }
        Enablement enablement = new Enablement(config.unitDirs());
        if (!enablement.inUse()) {
            List.copyOf(sockets.values()).forEach(this::startGuarded);
            return;
        }
        var enabled = enablement.enabledUnits();
        LOG.log(Level.DEBUG, () -> "Enablement in use, starting the enabled units: " + enabled);
        for (String name : enabled) {
            ManagedUnit unit = sockets.containsKey(name) ? sockets.get(name)
                    : name.endsWith(".service") ? unitNamed(name) : null;
            if (unit == null) {
                LOG.log(Level.WARNING, name + ": Enabled, but it does not load, not starting.");
                continue;
            }
            startGuarded(unit);
        }
    }

    private void startGuarded(ManagedUnit unit) {
        if (stopRequested) {
            return;
        }
        // One unit's failure, even a bug of ours, must not keep the others from starting.
        try {
            jobs.start(unit);
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, unit.name() + ": Failed to start: " + e);
        }
    }

    /** SIGTERM/SIGINT: stop the services, then the sockets, then leave the loop. */
    public void shutdown() {
        if (shutdown.requested()) {
            return;
        }
        LOG.log(Level.DEBUG, "Shutting down.");
        shutdown.begin();
        unitChanged();
    }

    /** Called after every state change: runs the waiting jobs and checks, and drives the shutdown forward. */
    void unitChanged() {
        if (!waiters.isEmpty() && !waitersPosted) {
            waitersPosted = true;
            loop.execute(this::runWaiters);
        }
        jobs.stateChanged();
        shutdown.advance();
    }

    /** Creates the runtime folder. */
    public void prepareRuntimeDirectory() throws ErrnoException {
        ListenSockets.makeDirectories(config.runtimeDirectory(), 0755);
    }

    // ---- the control channel's view and entry points (loop thread only) --------------------------------------

    /** The loaded socket units by name, in load order. */
    Map<String, SocketRuntime> sockets() {
        return Collections.unmodifiableMap(sockets);
    }

    /** The loaded service units by name. */
    Map<String, ServiceRuntime> services() {
        return Collections.unmodifiableMap(services);
    }

    UnitJournal journal() {
        return journal;
    }

    /** Where Accept=yes instances are spawned, off the loop. */
    SpawnPool spawnPool() {
        return spawnPool;
    }

    Jobs jobs() {
        return jobs;
    }

    /** The environment every command starts from; ConditionEnvironment= tests it. */
    Map<String, String> managerEnvironment() {
        return managerEnvironment;
    }

    /** The loaded units' relations looked up backwards. */
    UnitRelations relations() {
        return registry.relations();
    }

    /** Every loaded unit: sockets, then services (Accept=yes instances included). */
    List<ManagedUnit> units() {
        return registry.units();
    }

    /** The loaded unit {@code name}, or null. */
    ManagedUnit loaded(String name) {
        return registry.loaded(name);
    }

    /** See {@link UnitRegistry#unitNamed}. */
    ManagedUnit unitNamed(String name) {
        return registry.unitNamed(name);
    }

    Config config() {
        return config;
    }

    /** Runs {@code action} on the loop as soon as {@code condition} holds: now, or after a later state change. */
    void whenTrue(BooleanSupplier condition, Runnable action) {
        if (condition.getAsBoolean()) {
            action.run();
            return;
        }
        waiters.add(new Waiter(condition, action));
    }

    private void runWaiters() {
        waitersPosted = false;
        for (Waiter w : List.copyOf(waiters)) {
            if (waiters.contains(w) && w.condition().getAsBoolean()) {
                waiters.remove(w);
                w.action().run();
            }
        }
    }

    /**
     * daemon-reload (sockctl reload, SIGHUP): reads every unit file again. A socket whose Listen lines are as before
     * keeps its fds and takes the new definition (so does its service, from its next start); one whose Listen lines
     * changed is stopped and started anew (once its service has stopped); a removed one is stopped (with its service,
     * unless another socket still triggers it); a new one is started. A unit that no longer loads keeps running
     * as it was.
     */
    public void reload() {
        if (shutdown.requested()) {
            return;
        }
        LOG.log(Level.INFO, "Reloading.");
        UnitLoader loader = registry.renewLoader();
        TreeSet<String> names = registry.socketNames();
        for (String name : List.copyOf(sockets.keySet())) {
            if (!names.contains(name)) {
                LOG.log(Level.INFO, name + ": Unit file removed, stopping.");
                retire(sockets.get(name));
            }
        }
        for (String name : names) {
            SocketRuntime old = sockets.get(name);
            if (old == null) {
                if (sockets.size() < MAX_UNITS) {
                    registry.loadSocket(loader, name);
                    SocketRuntime added = sockets.get(name);
                    if (added != null && new Enablement(config.unitDirs()).startsWithDaemon(name)) {
                        jobs.start(added);
                    }
                }
                continue;
            }
            UnitLoader.ActivationUnits units = loader.loadActivation(name);
            if (!units.startable()) {
                for (Diagnostic d : units.socket().diagnostics()) {
                    LOG.log(d.isError() ? Level.ERROR : Level.WARNING, d.format());
                }
                LOG.log(Level.ERROR, name + ": Failed to load (" + UnitRegistry.whyNotStartable(units)
                        + "), keeping the running unit as it was.");
                continue;
            }
            SocketUnit fresh = units.socket().unit();
            ServiceRuntime service = services.get(fresh.serviceName().toString());
            if (service != null && units.service() != null && units.service().unit() != null) {
                service.reloaded(units.service().unit());
            }
            if (socketsUnchanged(old.unit(), fresh)) {
                old.reloaded(fresh);
            } else if (!pendingChanges.containsKey(old)) {
                boolean serviceRunning = old.service() != null && !old.service().state().isInactive();
                String pending = "Listen settings changed, restarting the socket"
                        + (serviceRunning ? " once " + old.service().name() + " has stopped." : ".");
                LOG.log(Level.INFO, name + ": " + pending);
                replaceWhenDown(old, pending);
            }
        }
        for (ServiceRuntime service : List.copyOf(services.values())) {
            // Services loaded on demand (a dependency, a control start) take their new definition too.
            if (service.sockets().isEmpty() && !service.name().contains("@")) {
                LoadResult<ServiceUnit> fresh = loader.loadService(service.name());
                if (fresh.loaded()) {
                    service.reloaded(fresh.unit());
                }
            }
        }
        registry.unitsChanged();
        registry.registerInJournal();
        unitChanged();
    }

    /**
     * Whether a reload keeps a socket's fds: its Listen lines, Accept= and the service it triggers are as before. As
     * in systemd (which re-matches the fds by address on a reload), other socket settings (Backlog=, SocketMode=,
     * socket options) apply when the socket is next started.
     */
    static boolean socketsUnchanged(SocketUnit a, SocketUnit b) {
        return a.listens().equals(b.listens()) && a.accept() == b.accept() && a.serviceName().equals(b.serviceName());
    }

    /** Takes a socket out of the registry, stops it, and stops its service unless another socket triggers it. */
    private void retire(SocketRuntime socket) {
        sockets.remove(socket.name());
        retired.add(socket);
        ServiceRuntime service = socket.service();
        boolean orphan = service != null && sockets.values().stream().noneMatch(s -> s.service() == service);
        if (orphan) {
            services.remove(service.name());
            service.stop();
        }
        registry.unitsChanged();
        socket.stop();
        whenTrue(() -> isDown(socket), () -> {
            retired.remove(socket);
            if (service != null) {
                service.removeSocket(socket);
            }
        });
    }

    /**
     * A socket whose Listen settings changed: stopped now, and replaced by the unit file's new definition once it is
     * down and its service has stopped (the service holds the old fds, and socket_start() refuses while it runs).
     * Until then it stays in the registry, where every command still finds it with the change shown as pending, as a
     * loaded unit with a pending reload is shown by systemd. The replacement starts unless the socket was stopped
     * meanwhile.
     */
    private void replaceWhenDown(SocketRuntime socket, String pending) {
        PendingChange change = new PendingChange(pending);
        pendingChanges.put(socket, change);
        ServiceRuntime service = socket.service();
        socket.stop();
        whenTrue(() -> isDown(socket) && (service == null || service.state().isInactive()), () -> {
            pendingChanges.remove(socket);
            if (sockets.get(socket.name()) != socket) {
                return;   // removed by a later reload meanwhile
            }
            sockets.remove(socket.name());
            registry.unitsChanged();
            if (service != null) {
                service.removeSocket(socket);
            }
            registry.loadSocket(newLoader(), socket.name());
            SocketRuntime added = sockets.get(socket.name());
            if (added != null) {
                if (change.startAfter && !shutdown.requested()) {
                    jobs.start(added);
                }
            }
        });
    }

    private static boolean isDown(SocketRuntime socket) {
        return socket.state().isInactive();
    }

    /** The change a reload found for {@code unit} that waits for its service to stop, or null. */
    String pendingChange(ManagedUnit unit) {
        PendingChange change = unit instanceof SocketRuntime socket ? pendingChanges.get(socket) : null;
        return change == null ? null : change.change;
    }

    /**
     * A start or stop request for a socket with a pending change decides whether its new definition starts when the
     * change is applied (the old one is stopped already). False when {@code unit} has no pending change.
     */
    boolean startAfterPendingChange(ManagedUnit unit, boolean start) {
        PendingChange change = unit instanceof SocketRuntime socket ? pendingChanges.get(socket) : null;
        if (change == null) {
            return false;
        }
        change.startAfter = start;
        return true;
    }

    /** What the units' state machines see of the manager. */
    private final class Context implements UnitContext {
        @Override
        public Timer schedule(long nanos, Runnable task) {
            return loop.schedule(nanos, task);
        }

        @Override
        public Watch watch(int fd, int interest, EventLoop.IoHandler handler) throws ErrnoException {
            return loop.watch(fd, interest, handler);
        }

        @Override
        public EventLoop loop() {
            return loop;
        }

        @Override
        public UnitJournal journal() {
            return journal;
        }

        @Override
        public Child spawn(ExecCommand command, ExecSpawner.Context context, ExecSpawner.Stdio stdio,
                           Map<String, String> extra, BiConsumer<Child, ExitStatus> onExit) {
            return ExecSpawner.start(loop, command, context, stdio, extra, onExit);
        }

        @Override
        public Child spawnInBackground(ExecCommand command, ExecSpawner.Context context, ExecSpawner.Stdio stdio,
                                       Map<String, String> extra, BiConsumer<Child, ExitStatus> onExit,
                                       Consumer<Child> afterSpawn) {
            return ExecSpawner.startInBackground(loop, spawnPool, command, context, stdio, extra, onExit, afterSpawn);
        }

        @Override
        public Child spawnStandby(ExecCommand command, ExecSpawner.Context context, ExecSpawner.Stdio stdio,
                                  Map<String, String> extra, Fd go, BiConsumer<Child, ExitStatus> onExit,
                                  Consumer<Child> afterSpawn) {
            return ExecSpawner.startStandby(loop, spawnPool, command, context, stdio, extra, go, onExit, afterSpawn);
        }

        @Override
        public StandbySlots standbySlots() {
            return standbySlots;
        }

        @Override
        public Child spawnFailed(ExecCommand command, BiConsumer<Child, ExitStatus> onExit) {
            return ExecSpawner.failed(loop, command, onExit);
        }

        @Override
        public List<Integer> unwatchedChildren() {
            // A child being spawned for another unit is not watched yet either: wait for those in flight.
            return spawnPool.whenNoneInFlight(() -> OrphanReaper.children().stream()
                    .filter(pid -> !Pidfd.watched(pid)).toList());
        }

        @Override
        public Map<String, String> managerEnvironment() {
            return managerEnvironment;
        }

        @Override
        public boolean userManager() {
            return config.user();
        }

        @Override
        public Path notifySocketPath() {
            return config.runtimeDirectory().resolve("notify").resolve(Processes.pid() + "." + notifyIds++);
        }

        @Override
        public SharedNamespaces namespaces() {
            return namespaces;
        }

        @Override
        public HostedThreads hostedThreads() {
            return hostedThreads;
        }

        @Override
        public boolean shuttingDown() {
            return shutdown.requested();
        }

        @Override
        public void startJob(ManagedUnit unit) {
            jobs.start(unit);
        }

        @Override
        public boolean startRunsAtOnce(ManagedUnit unit) {
            return jobs.startRunsAtOnce(unit);
        }

        @Override
        public ServiceRuntime loadInstance(SocketRuntime socket, String instanceName,
                                           ConnectionAcceptor.Connection connection) {
            return registry.loadInstance(socket, instanceName, connection);
        }

        @Override
        public void instanceEnded(ServiceRuntime instance) {
            registry.instanceEnded(instance);
        }

        @Override
        public void unitChanged() {
            Manager.this.unitChanged();
        }
    }
}
