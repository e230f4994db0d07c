package dev.sockact.daemon;

import dev.sockact.event.EventLoop;
import dev.sockact.log.RateLimitedLog;
import dev.sockact.posix.ErrnoException;
import dev.sockact.posix.Processes;
import dev.sockact.unit.Diagnostic;
import dev.sockact.unit.HostInfo;
import dev.sockact.unit.ManagerScope;
import dev.sockact.unit.SocketUnit;
import dev.sockact.unit.load.UnitLoader;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * sockactd's manager: loads every socket unit of the unit folders with its service, starts them, and stops them
 * all on request. Owns the event loop; every unit's state lives on its thread.
 */
public final class Manager {
    private static final System.Logger LOG = System.getLogger("sockactd");
    /** Bound on the number of socket units loaded; more are skipped (logged once). */
    public static final int MAX_UNITS = 4096;
    /** Every dependency of every Accept=yes instance can ask for a unit beyond the bound. */
    private static final RateLimitedLog TOO_MANY_UNITS = new RateLimitedLog(LOG);

    /**
     * How the daemon runs.
     *
     * @param unitDirs         unit folders, highest priority first
     * @param user             the per-user manager (--user)
     * @param runtimeDirectory where runtime files (notify sockets) go
     */
    public record Config(List<Path> unitDirs, boolean user, Path runtimeDirectory) {
        public Config {
            unitDirs = List.copyOf(unitDirs);
        }
    }

    private final Config config;
    private final EventLoop loop;
    private final Map<String, String> managerEnvironment;
    private final Map<String, SocketRuntime> sockets = new LinkedHashMap<>();
    private final Map<String, ServiceRuntime> services = new LinkedHashMap<>();
    private boolean shuttingDown;
    /** Set by the SIGTERM/SIGINT handler's thread: loading and starting give up early, before the loop runs. */
    private volatile boolean stopRequested;
    private boolean socketsStopping;
    private int notifyIds;
    /** Kept from {@link #load}: Accept=yes loads each connection's instance of the template through it. */
    private UnitLoader loader;
    private final UnitJournal journal = new UnitJournal();
    /** Sockets a daemon-reload removed, until they are stopped. */
    private final List<SocketRuntime> retired = new ArrayList<>();
    /** Sockets whose new definition waits for them to stop (see {@link #replaceWhenDown}), with the change. */
    private final Map<SocketRuntime, PendingChange> pendingChanges = new java.util.IdentityHashMap<>();

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
    private final SpawnPool spawnPool = new SpawnPool();

    /** An action that runs on the loop once {@code condition} holds (checked after every state change). */
    private record Waiter(java.util.function.BooleanSupplier condition, Runnable action) {
    }

    public Manager(Config config, EventLoop loop) {
        this.config = config;
        this.loop = loop;
        this.managerEnvironment = UnitEnvironment.managerEnvironment(config.user());
    }

    /** systemd-style unit folders for sockact, highest priority first. */
    public static List<Path> defaultUnitDirs(boolean user) {
        if (!user) {
            return List.of(Path.of("/etc/sockact/system"), Path.of("/run/sockact/system"),
                    Path.of("/usr/lib/sockact/system"));
        }
        String home = System.getProperty("user.home");
        String config = System.getenv().getOrDefault("XDG_CONFIG_HOME", home + "/.config");
        String data = System.getenv().getOrDefault("XDG_DATA_HOME", home + "/.local/share");
        List<Path> dirs = new ArrayList<>(List.of(Path.of(config, "sockact/user"), Path.of("/etc/sockact/user")));
        String runtime = System.getenv("XDG_RUNTIME_DIR");
        if (runtime != null) {
            dirs.add(Path.of(runtime, "sockact/user"));
        }
        dirs.add(Path.of(data, "sockact/user"));
        dirs.add(Path.of("/usr/lib/sockact/user"));
        return dirs;
    }

    EventLoop loop() {
        return loop;
    }

    boolean userManager() {
        return config.user();
    }

    Path runtimeDirectory() {
        return config.runtimeDirectory();
    }

    Map<String, String> managerEnvironment() {
        return managerEnvironment;
    }

    SharedNamespaces namespaces() {
        return namespaces;
    }

    boolean shuttingDown() {
        return shuttingDown;
    }

    String nextNotifyId() {
        return Processes.pid() + "." + notifyIds++;
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
        loader = newLoader();
        for (String name : socketNames()) {
            if (stopRequested) {
                LOG.log(Level.DEBUG, "Stop requested, not loading further units.");
                break;
            }
            if (sockets.size() >= MAX_UNITS) {
                LOG.log(Level.WARNING, "More than " + MAX_UNITS + " socket units, ignoring the rest (from " + name + ").");
                break;
            }
            loadOne(loader, name);
        }
        registerInJournal();
        return sockets.size();
    }

    /** A loader over the unit folders as they are now (a daemon-reload or sockctl enable reads them afresh). */
    UnitLoader newLoader() {
        return new UnitLoader(config.unitDirs(), HostInfo.current(
                config.user() ? ManagerScope.USER : ManagerScope.SYSTEM));
    }

    private TreeSet<String> socketNames() {
        TreeSet<String> names = new TreeSet<>();
        for (Path dir : config.unitDirs()) {
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.socket")) {
                for (Path file : files) {
                    if (!isAlias(file)) {
                        names.add(file.getFileName().toString());
                    }
                }
            } catch (IOException e) {
                LOG.log(Level.WARNING, "Failed to read unit folder " + dir + ", ignoring: " + e.getMessage());
            }
        }
        return names;
    }

    /**
     * An Alias= link ({@code sockctl enable} makes them): a symlink to a unit file of another name. It names the
     * unit again, so it is not loaded as a unit of its own (which would open the same ports twice).
     */
    private static boolean isAlias(Path file) {
        if (!Files.isSymbolicLink(file)) {
            return false;
        }
        try {
            // A link to /dev/null masks the unit, one to another file (/dev/zero) is no unit: the loader says so.
            Path target = Files.readSymbolicLink(file).getFileName();
            return target != null && !target.equals(file.getFileName()) && target.toString().endsWith(".socket");
        } catch (IOException e) {
            return false;
        }
    }

    private void loadOne(UnitLoader loader, String name) {
        UnitLoader.ActivationUnits units = loader.loadActivation(name);
        List<Diagnostic> diagnostics = new ArrayList<>(units.socket().diagnostics());
        if (units.service() != null) {
            diagnostics.addAll(units.service().diagnostics());
        }
        for (Diagnostic d : diagnostics) {
            LOG.log(d.isError() ? Level.ERROR : Level.WARNING, d.format());
        }
        if (!units.startable()) {
            LOG.log(Level.ERROR, name + ": Failed to load (" + whyNotStartable(units) + "), skipping.");
            return;
        }
        SocketUnit socket = units.socket().unit();
        if (socket.accept()) {
            sockets.put(name, new SocketRuntime(this, socket, null));   // an instance of NAME@.service per connection
            return;
        }
        String serviceName = socket.serviceName().toString();
        ServiceRuntime service = services.computeIfAbsent(serviceName,
                n -> new ServiceRuntime(this, units.service().unit()));
        sockets.put(name, new SocketRuntime(this, socket, service));
    }

    /** The load state that keeps a socket from starting: its own, or its service's ("service a.service: not-found"). */
    private static String whyNotStartable(UnitLoader.ActivationUnits units) {
        if (!units.socket().loaded() || units.service() == null) {
            return units.socket().state().text();
        }
        return "service " + units.service().name() + ": " + units.service().state().text();
    }

    /**
     * Accept=yes: loads {@code instanceName} (the template's fragment and drop-ins, {@code %i} the instance) as a
     * transient service for {@code connection}, registered until it ends. Null (diagnostics logged) when it does
     * not load.
     */
    ServiceRuntime loadInstance(SocketRuntime socket, String instanceName,
                                dev.sockact.activation.ConnectionAcceptor.Connection connection) {
        var result = loader.loadService(instanceName);
        for (Diagnostic d : result.diagnostics()) {
            // The template's warnings were logged when the socket loaded: once, not per connection.
            LOG.log(!result.loaded() ? Level.ERROR : Level.DEBUG, d.format());
        }
        if (!result.loaded()) {
            return null;
        }
        ServiceRuntime instance = new ServiceRuntime(this, result.unit(),
                new ServiceRuntime.Instance(socket, connection));
        services.put(instanceName, instance);
        return instance;
    }

    /** An Accept=yes instance ended: it is forgotten, as systemd garbage-collects it. */
    void instanceEnded(ServiceRuntime instance) {
        services.remove(instance.name(), instance);
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

    /** Whether a socket unit found by a reload is started: as at start-up, every one, or only an enabled one. */
    private boolean startsWithDaemon(String name) {
        Enablement enablement = new Enablement(config.unitDirs());
        return !enablement.inUse() || enablement.enabledUnits().contains(name);
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
        if (shuttingDown) {
            return;
        }
        LOG.log(Level.DEBUG, "Shutting down.");
        shuttingDown = true;
        for (ServiceRuntime service : List.copyOf(services.values())) {
            service.stop();   // an Accept=yes instance may end, and leave the map, at once
        }
        unitChanged();
    }

    /** Called after every state change: runs the waiting jobs and checks, and drives the shutdown forward. */
    void unitChanged() {
        if (!waiters.isEmpty() && !waitersPosted) {
            waitersPosted = true;
            loop.execute(this::runWaiters);
        }
        jobs.stateChanged();
        if (!shuttingDown) {
            return;
        }
        boolean servicesDown = services.values().stream().allMatch(s -> s.state().isInactive());
        if (!servicesDown) {
            return;
        }
        if (!socketsStopping) {
            socketsStopping = true;
            for (SocketRuntime socket : List.copyOf(sockets.values())) {
                socket.stop();
            }
            for (SocketRuntime socket : List.copyOf(retired)) {
                socket.stop();
            }
        }
        boolean socketsDown = java.util.stream.Stream.concat(sockets.values().stream(), retired.stream())
                .allMatch(s -> s.state() == SocketState.DEAD || s.state() == SocketState.FAILED);
        if (socketsDown) {
            loop.stop();
        }
    }

    /** Creates the runtime folder. */
    public void prepareRuntimeDirectory() throws ErrnoException {
        dev.sockact.activation.ListenSockets.makeDirectories(config.runtimeDirectory(), 0755);
    }

    // ---- the control channel's view and entry points (loop thread only) --------------------------------------

    /** The loaded socket units by name, in load order. */
    Map<String, SocketRuntime> sockets() {
        return java.util.Collections.unmodifiableMap(sockets);
    }

    /** The loaded service units by name. */
    Map<String, ServiceRuntime> services() {
        return java.util.Collections.unmodifiableMap(services);
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

    /** Every loaded unit: sockets, then services (Accept=yes instances included). */
    List<ManagedUnit> units() {
        List<ManagedUnit> all = new ArrayList<>(sockets.size() + services.size());
        all.addAll(sockets.values());
        all.addAll(services.values());
        return all;
    }

    /** The loaded unit {@code name}, or null. */
    ManagedUnit loaded(String name) {
        SocketRuntime socket = sockets.get(name);
        return socket != null ? socket : services.get(name);
    }

    /** The unit types sockactd runs; a dependency on another type (a target, a mount) is ignored. */
    static boolean supportedType(String name) {
        return name.endsWith(".service") || name.endsWith(".socket");
    }

    /**
     * The unit {@code name}, loaded now through the unit folders if it is not yet (a dependency, a control request):
     * null, with the reason logged, when it does not load, is a template, is not a service or socket, or when
     * {@link #MAX_UNITS} are loaded already.
     */
    ManagedUnit unitNamed(String name) {
        ManagedUnit known = loaded(name);
        if (known != null || !supportedType(name) || loader == null) {
            return known;
        }
        if (sockets.size() + services.size() >= MAX_UNITS) {
            TOO_MANY_UNITS.log(Level.WARNING, name + ": More than " + MAX_UNITS + " units loaded, not loading it.");
            return null;
        }
        if (name.endsWith(".socket")) {
            loadOne(loader, name);
        } else {
            var result = loader.loadService(name);
            for (Diagnostic d : result.diagnostics()) {
                LOG.log(d.isError() ? Level.ERROR : Level.WARNING, d.format());
            }
            if (!result.loaded() || result.unit().name().isTemplate()) {
                LOG.log(Level.ERROR, name + ": Failed to load (" + result.state().text() + "), skipping.");
                return null;
            }
            services.put(name, new ServiceRuntime(this, result.unit()));
        }
        registerInJournal();
        return loaded(name);
    }

    Config config() {
        return config;
    }

    /** Runs {@code action} on the loop as soon as {@code condition} holds: now, or after a later state change. */
    void whenTrue(java.util.function.BooleanSupplier condition, Runnable action) {
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

    private void registerInJournal() {
        for (SocketRuntime s : sockets.values()) {
            journal.register(s.name(), s.unit().unit().description());
        }
        for (ServiceRuntime s : services.values()) {
            journal.register(s.name(), s.unit().unit().description());
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
        if (shuttingDown) {
            return;
        }
        LOG.log(Level.INFO, "Reloading.");
        loader = newLoader();
        TreeSet<String> names = socketNames();
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
                    loadOne(loader, name);
                    SocketRuntime added = sockets.get(name);
                    if (added != null && startsWithDaemon(name)) {
                        added.start();
                    }
                }
                continue;
            }
            UnitLoader.ActivationUnits units = loader.loadActivation(name);
            if (!units.startable()) {
                for (Diagnostic d : units.socket().diagnostics()) {
                    LOG.log(d.isError() ? Level.ERROR : Level.WARNING, d.format());
                }
                LOG.log(Level.ERROR, name + ": Failed to load (" + whyNotStartable(units)
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
                var fresh = loader.loadService(service.name());
                if (fresh.loaded()) {
                    service.reloaded(fresh.unit());
                }
            }
        }
        registerInJournal();
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
            if (service != null) {
                service.removeSocket(socket);
            }
            loadOne(newLoader(), socket.name());
            SocketRuntime added = sockets.get(socket.name());
            if (added != null) {
                registerInJournal();
                if (change.startAfter && !shuttingDown) {
                    added.start();
                }
            }
        });
    }

    private static boolean isDown(SocketRuntime socket) {
        return socket.state() == SocketState.DEAD || socket.state() == SocketState.FAILED;
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
}
