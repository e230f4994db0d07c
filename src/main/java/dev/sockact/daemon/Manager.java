package dev.sockact.daemon;

import dev.sockact.event.EventLoop;
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
    private boolean socketsStopping;
    private int notifyIds;
    /** Kept from {@link #load}: Accept=yes loads each connection's instance of the template through it. */
    private UnitLoader loader;

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

    /** Loads every *.socket; a unit that does not load is reported and skipped. Returns the number loaded. */
    public int load() {
        loader = new UnitLoader(config.unitDirs(), HostInfo.current(
                config.user() ? ManagerScope.USER : ManagerScope.SYSTEM));
        TreeSet<String> names = new TreeSet<>();
        for (Path dir : config.unitDirs()) {
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.socket")) {
                for (Path file : files) {
                    names.add(file.getFileName().toString());
                }
            } catch (IOException e) {
                LOG.log(Level.WARNING, "Failed to read unit folder " + dir + ", ignoring: " + e.getMessage());
            }
        }
        for (String name : names) {
            if (sockets.size() >= MAX_UNITS) {
                LOG.log(Level.WARNING, "More than " + MAX_UNITS + " socket units, ignoring the rest (from " + name + ").");
                break;
            }
            loadOne(loader, name);
        }
        return sockets.size();
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
            LOG.log(Level.ERROR, name + ": Failed to load (" + units.socket().state().text() + "), skipping.");
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

    /** Starts every loaded socket unit. */
    public void startAll() {
        for (SocketRuntime socket : sockets.values()) {
            socket.start();
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

    /** Called after every state change: drives the shutdown forward. */
    void unitChanged() {
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
        }
        boolean socketsDown = sockets.values().stream()
                .allMatch(s -> s.state() == SocketState.DEAD || s.state() == SocketState.FAILED);
        if (socketsDown) {
            loop.stop();
        }
    }

    /** Creates the runtime folder. */
    public void prepareRuntimeDirectory() throws ErrnoException {
        dev.sockact.activation.ListenSockets.makeDirectories(config.runtimeDirectory(), 0755);
    }
}
