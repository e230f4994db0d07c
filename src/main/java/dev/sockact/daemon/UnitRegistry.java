package dev.sockact.daemon;

import dev.sockact.log.RateLimitedLog;

import dev.sockact.activation.ConnectionAcceptor;
import dev.sockact.unit.Diagnostic;
import dev.sockact.unit.HostInfo;
import dev.sockact.unit.ManagerScope;
import dev.sockact.unit.ServiceUnit;
import dev.sockact.unit.SocketUnit;
import dev.sockact.unit.load.LoadResult;
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
import java.util.function.BooleanSupplier;

/**
 * The units sockactd has loaded, by name, and their loading from the unit folders: every {@code *.socket} with
 * the service it triggers at start-up, other units on demand (a dependency, a control request), an Accept=yes
 * instance per connection. A unit that does not load is logged with its diagnostics and skipped. Loop thread only.
 */
final class UnitRegistry {
    private static final System.Logger LOG = System.getLogger("sockactd");
    /** Every dependency of every Accept=yes instance can ask for a unit beyond the bound. */
    private static final RateLimitedLog TOO_MANY_UNITS = new RateLimitedLog(LOG);
    /** Bound on the number of units loaded; more are skipped (logged). */
    static final int MAX_UNITS = 4096;

    private final List<Path> unitDirs;
    private final ManagerScope scope;
    private final UnitContext context;
    private final UnitJournal journal;
    private final Map<String, SocketRuntime> sockets = new LinkedHashMap<>();
    private final Map<String, ServiceRuntime> services = new LinkedHashMap<>();
    /** Renewed by {@link #renewLoader}: Accept=yes loads each connection's instance of the template through it. */
    private UnitLoader loader;
    /** The loaded units' relations, or null when a change other than an instance's made them out of date. */
    private UnitRelations relations;

    /** @param context what the units' state machines are given */
    UnitRegistry(List<Path> unitDirs, ManagerScope scope, UnitContext context, UnitJournal journal) {
        this.unitDirs = List.copyOf(unitDirs);
        this.scope = scope;
        this.context = context;
        this.journal = journal;
    }

    /** The loaded socket units by name, in load order (the reload and the shutdown take units out and back). */
    Map<String, SocketRuntime> sockets() {
        return sockets;
    }

    /** The loaded service units by name (Accept=yes instances included). */
    Map<String, ServiceRuntime> services() {
        return services;
    }

    /**
     * Loads every *.socket; a unit that does not load is reported and skipped, and loading ends early once
     * {@code stopRequested}. Returns the number loaded.
     */
    int loadAll(BooleanSupplier stopRequested) {
        renewLoader();
        for (String name : socketNames()) {
            if (stopRequested.getAsBoolean()) {
                LOG.log(Level.DEBUG, "Stop requested, not loading further units.");
                break;
            }
            if (sockets.size() >= MAX_UNITS) {
                LOG.log(Level.WARNING, "More than " + MAX_UNITS + " socket units, ignoring the rest (from " + name + ").");
                break;
            }
            loadSocket(loader, name);   // each registers its units in the journal
        }
        return sockets.size();
    }

    /** A loader over the unit folders as they are now (a daemon-reload or sockctl enable reads them afresh). */
    UnitLoader newLoader() {
        return new UnitLoader(unitDirs, HostInfo.current(scope));
    }

    /** Takes a new loader for what is loaded from now on (daemon-reload); returns it. */
    UnitLoader renewLoader() {
        loader = newLoader();
        return loader;
    }

    /** The names of the socket units in the unit folders now, sorted (Alias= links left out). */
    TreeSet<String> socketNames() {
        TreeSet<String> names = new TreeSet<>();
        for (Path dir : unitDirs) {
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
            // A link to /dev/null masks the unit, one to another file (/dev/zero) is no unit, and a dangling link or
            // a loop of links names nothing: the loader says so, for each.
            Path target = Files.readSymbolicLink(file).getFileName();
            return target != null && !target.equals(file.getFileName()) && target.toString().endsWith(".socket")
                    && Files.isRegularFile(file);
        } catch (IOException e) {
            return false;
        }
    }

    /** Loads socket unit {@code name} with the service it triggers (shared with the sockets that trigger it too). */
    void loadSocket(UnitLoader from, String name) {
        unitsChanged();
        UnitLoader.ActivationUnits units = from.loadActivation(name);
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
        // Its journal from now on: what its first start logs ("Listening on ...") is its own, on a reload too.
        journal.register(name, socket.unit().description());
        if (socket.accept()) {
            sockets.put(name, new SocketRuntime(context, socket, null));   // an instance of NAME@.service per connection
            return;
        }
        String serviceName = socket.serviceName().toString();
        ServiceRuntime service = services.computeIfAbsent(serviceName,
                n -> new ServiceRuntime(context, units.service().unit()));
        journal.register(serviceName, service.unit().unit().description());
        sockets.put(name, new SocketRuntime(context, socket, service));
    }

    /** The load state that keeps a socket from starting: its own, or its service's ("service a.service: not-found"). */
    static String whyNotStartable(UnitLoader.ActivationUnits units) {
        if (!units.socket().loaded() || units.service() == null) {
            return units.socket().state().text();
        }
        return "service " + units.service().name() + ": " + units.service().state().text();
    }

        /** See {@link UnitContext#loadInstance}. */
    ServiceRuntime loadInstance(SocketRuntime socket, String instanceName, ConnectionAcceptor.Connection connection) {
        LoadResult<ServiceUnit> result = loader.loadService(instanceName);
        for (Diagnostic d : result.diagnostics()) {
            // The template's warnings were logged when the socket loaded: once, not per connection.
            LOG.log(!result.loaded() ? Level.ERROR : Level.DEBUG, d.format());
        }
        if (!result.loaded()) {
            return null;
        }
        ServiceRuntime instance = new ServiceRuntime(context, result.unit(),
                new ServiceRuntime.Instance(socket, connection));
        services.put(instanceName, instance);
        if (relations != null) {
            relations.add(instance);   // one instance per connection: indexed as it comes, not by a rebuild
        }
        journal.register(instanceName, null);
        return instance;
    }

    /** An Accept=yes instance ended: it is forgotten, as systemd garbage-collects it. */
    void instanceEnded(ServiceRuntime instance) {
        if (services.remove(instance.name(), instance)) {
            if (relations != null) {
                relations.remove(instance);
            }
            journal.forget(instance.name());
        }
    }

    /** Every loaded unit: sockets, then services (Accept=yes instances included). */
    List<ManagedUnit> units() {
        List<ManagedUnit> all = new ArrayList<>(sockets.size() + services.size());
        all.addAll(sockets.values());
        all.addAll(services.values());
        return all;
    }

    /**
     * The loaded units' relations looked up backwards ({@link Jobs}), made again after a change to the loaded units
     * other than an instance's coming and going.
     */
    UnitRelations relations() {
        if (relations == null) {
            relations = new UnitRelations();
            units().forEach(relations::add);
        }
        return relations;
    }

    /** Units were added, removed or reloaded other than through this class's instances: relations are made anew. */
    void unitsChanged() {
        relations = null;
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
            loadSocket(loader, name);
        } else {
            LoadResult<ServiceUnit> result = loader.loadService(name);
            for (Diagnostic d : result.diagnostics()) {
                LOG.log(d.isError() ? Level.ERROR : Level.WARNING, d.format());
            }
            if (!result.loaded() || result.unit().name().isTemplate()) {
                LOG.log(Level.ERROR, name + ": Failed to load (" + result.state().text() + "), skipping.");
                return null;
            }
            services.put(name, new ServiceRuntime(context, result.unit()));
            unitsChanged();
        }
        registerInJournal();
        return loaded(name);
    }

    /** Every loaded unit has its journal, with its Description=. */
    void registerInJournal() {
        for (SocketRuntime s : sockets.values()) {
            journal.register(s.name(), s.unit().unit().description());
        }
        for (ServiceRuntime s : services.values()) {
            journal.register(s.name(), s.unit().unit().description());
        }
    }
}
