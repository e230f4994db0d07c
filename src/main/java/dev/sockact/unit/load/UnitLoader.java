package dev.sockact.unit.load;

import dev.sockact.unit.Diagnostic;
import dev.sockact.unit.Diagnostic.Severity;
import dev.sockact.unit.HostInfo;
import dev.sockact.unit.ManagerScope;
import dev.sockact.unit.ServiceUnit;
import dev.sockact.unit.SocketUnit;
import dev.sockact.unit.UnitName;
import dev.sockact.unit.UnitType;
import dev.sockact.unit.XdgDirectories;
import dev.sockact.unit.parse.Specifiers;
import dev.sockact.unit.parse.UnitFileParser;
import dev.sockact.unit.parse.UnitSchema;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Loads units by name from a list of unit directories (highest priority first): the fragment, then its drop-ins,
 * then the whole-unit checks. Never logs: every finding is a {@link Diagnostic} in the {@link LoadResult}.
 *
 * <pre>{@code
 * UnitLoader loader = new UnitLoader(UnitLoader.defaultUnitDirs(ManagerScope.SYSTEM), HostInfo.current(ManagerScope.SYSTEM));
 * LoadResult<SocketUnit> socket = loader.loadSocket("foo.socket");
 * LoadResult<ServiceUnit> service = loader.loadService(socket.unit().serviceName().toString());
 * }</pre>
 */
public final class UnitLoader {

    /** The systemd message for a unit whose service cannot be loaded; verify reports it. */
    static final String SERVICE_NOT_LOADED = "service %s not loaded, socket cannot be started.";

    /** Bound on a unit's drop-ins: each is parsed at every load, an Accept=yes socket's at every connection. */
    static final int MAX_DROP_INS = 1024;

    private final List<Path> unitDirs;
    private final UnitFiles files;
    private final HostInfo host;
    private final InstanceCache<ServiceUnit> serviceInstances = new InstanceCache<>(ServiceUnit::withName);

    /** A loader keeps a listing of each unit directory, renewed when the directory changes (see {@link UnitFiles}). */
    public UnitLoader(List<Path> unitDirs, HostInfo host) {
        this.unitDirs = List.copyOf(unitDirs);
        this.files = new UnitFiles(this.unitDirs);
        this.host = host;
    }

    /** systemd's unit search path for {@code scope}, highest priority first. */
    public static List<Path> defaultUnitDirs(ManagerScope scope) {
        if (scope == ManagerScope.SYSTEM) {
            return List.of(Path.of("/etc/systemd/system"), Path.of("/run/systemd/system"),
                    Path.of("/usr/local/lib/systemd/system"), Path.of("/usr/lib/systemd/system"),
                    Path.of("/lib/systemd/system"));
        }
        XdgDirectories xdg = XdgDirectories.current();
        return List.of(Path.of(xdg.config(), "systemd/user"), Path.of("/etc/systemd/user"),
                Path.of(xdg.runtime().orElse("/run/user/0"), "systemd/user"), Path.of("/run/systemd/user"),
                Path.of(xdg.data(), "systemd/user"), Path.of("/usr/local/lib/systemd/user"),
                Path.of("/usr/lib/systemd/user"));
    }

    public List<Path> unitDirs() {
        return unitDirs;
    }

    /** Loads {@code name} (e.g. {@code foo.socket}) from the unit directories. */
    public LoadResult<SocketUnit> loadSocket(String name) {
        return socket(name, null);
    }

    /** Loads {@code name} (e.g. {@code foo.service} or an instance {@code foo@0-1.service}). */
    public LoadResult<ServiceUnit> loadService(String name) {
        return service(name, null);
    }

    private LoadResult<SocketUnit> socket(String name, Path fragment) {
        return load(name, fragment, UnitSchema.SOCKET, SocketUnit.Builder::new, SocketUnit.Builder::build,
                UnitChecks::socket, null, (b, file, dropIns) -> {
                    b.fragmentPath(file);
                    b.dropInPaths().addAll(dropIns);
                });
    }

    private LoadResult<ServiceUnit> service(String name, Path fragment) {
        return load(name, fragment, UnitSchema.SERVICE, ServiceUnit.Builder::new, ServiceUnit.Builder::build,
                UnitChecks::service, fragment == null ? serviceInstances : null, (b, file, dropIns) -> {
                    b.fragmentPath(file);
                    b.dropInPaths().addAll(dropIns);
                });
    }

    /**
     * Loads a socket unit and the service it activates (for Accept=yes, the template). The socket result gets
     * systemd's "service ... not loaded, socket cannot be started." when the service does not load.
     */
    public ActivationUnits loadActivation(String socketName) {
        LoadResult<SocketUnit> socket = loadSocket(socketName);
        if (!socket.loaded()) {
            return new ActivationUnits(socket, null);
        }
        UnitName serviceName = socket.unit().serviceName();
        LoadResult<ServiceUnit> service = loadService(serviceName.toString());
        if (!service.loaded()) {
            List<Diagnostic> diagnostics = new ArrayList<>(socket.diagnostics());
            String shown = serviceName.isTemplate() ? serviceName.withInstance("internal").toString()
                    : serviceName.toString();
            diagnostics.add(Diagnostic.unitLevel(socketName, Severity.ERROR, SERVICE_NOT_LOADED.formatted(shown)));
            socket = new LoadResult<>(socket.name(), socket.state(), socket.unit(), diagnostics);
        }
        return new ActivationUnits(socket, service);
    }

    /** A socket unit and its service, as {@link #loadActivation} found them. */
    public record ActivationUnits(LoadResult<SocketUnit> socket, LoadResult<ServiceUnit> service) {
        /** Whether both loaded, so the socket can be started. */
        public boolean startable() {
            return socket.loaded() && service != null && service.loaded();
        }
    }

    /**
     * Loads a file given by path, as {@code systemd-analyze verify FILE} does: its name is the file name, its
     * fragment the file itself, and its directory is searched first for drop-ins and related units.
     */
    public static UnitLoader forFile(Path file, List<Path> unitDirs, HostInfo host) {
        List<Path> dirs = new ArrayList<>();
        Path parent = file.toAbsolutePath().normalize().getParent();
        if (parent != null) {
            dirs.add(parent);
        }
        for (Path dir : unitDirs) {
            if (!dirs.contains(dir)) {
                dirs.add(dir);
            }
        }
        return new UnitLoader(dirs, host);
    }

    @FunctionalInterface
    private interface Provenance<B> {
        void record(B builder, Path fragment, List<Path> dropIns);
    }

    private <B, U> LoadResult<U> load(String name, Path explicitFragment, UnitSchema<B> schema,
                                      Function<UnitName, B> newBuilder, Function<B, U> build,
                                      Function<U, List<String>> checks, InstanceCache<U> instances,
                                      Provenance<B> provenance) {
        List<Diagnostic> diagnostics = new ArrayList<>();
        Optional<UnitName> parsedName = UnitName.parse(name);
        if (parsedName.isEmpty() || parsedName.get().type().isEmpty()) {
            diagnostics.add(Diagnostic.unitLevel(name, Severity.ERROR, "Invalid unit name \"" + name + "\"."));
            return new LoadResult<>(name, LoadState.NOT_FOUND, null, diagnostics);
        }
        UnitName unitName = parsedName.get();
        files.revalidate();
        Optional<Path> fragment = explicitFragment != null ? Optional.of(explicitFragment)
                : files.fragment(unitName);
        if (fragment.isEmpty()) {
            diagnostics.add(Diagnostic.unitLevel(name, Severity.ERROR, "Unit " + name + " not found."));
            return new LoadResult<>(name, LoadState.NOT_FOUND, null, diagnostics);
        }
        if (UnitFiles.isMasked(fragment.get())) {
            diagnostics.add(Diagnostic.unitLevel(name, Severity.ERROR, "Unit " + name + " is masked."));
            return new LoadResult<>(name, LoadState.MASKED, null, diagnostics);
        }
        UnitFiles.DropIns found = files.dropIns(unitName);
        for (String warning : found.warnings()) {
            diagnostics.add(Diagnostic.unitLevel(name, Severity.WARNING, warning));
        }
        if (found.paths().size() > MAX_DROP_INS) {
            diagnostics.add(Diagnostic.unitLevel(name, Severity.ERROR, "Too many drop-ins (" + found.paths().size()
                    + ", the limit is " + MAX_DROP_INS + "), refusing to load the unit."));
            return new LoadResult<>(name, LoadState.ERROR, null, diagnostics);
        }
        List<Path> dropIns = found.paths();
        List<Path> files = new ArrayList<>();
        files.add(fragment.get());
        files.addAll(dropIns);
        // Stamped before reading: a file changed while being read no longer matches its stamp next time.
        List<InstanceCache.Stamp> stamps = instances != null && unitName.isInstance() && diagnostics.isEmpty()
                ? InstanceCache.stamps(files) : null;
        if (stamps != null) {
            U known = instances.lookup(unitName, stamps);
            if (known != null) {
                return new LoadResult<>(name, LoadState.LOADED, known, List.of());
            }
        }
        B builder = newBuilder.apply(unitName);
        provenance.record(builder, fragment.get(), dropIns);
        Specifiers specifiers = new Specifiers(unitName, fragment.get(), host);
        UnitFileParser<B> parser = new UnitFileParser<>(unitName, schema, builder, specifiers, diagnostics::add);
        for (Path file : files) {
            byte[] content;
            try {
                content = RegularFiles.read(file, RegularFiles.MAX_UNIT_FILE);
            } catch (RegularFiles.RefusedException e) {
                diagnostics.add(Diagnostic.unitLevel(name, Severity.ERROR,
                        "Failed to open " + file + ": " + e.reason()));
                return new LoadResult<>(name, LoadState.ERROR, null, diagnostics);
            }
            boolean ok = parser.apply(file, content);
            if (!ok) {
                boolean syntax = diagnostics.getLast().key() == null;
                if (syntax) {
                    return new LoadResult<>(name, LoadState.ERROR, null, diagnostics);
                }
                diagnostics.add(Diagnostic.unitLevel(name, Severity.ERROR,
                        "Unit configuration has fatal error, unit will not be started."));
                return new LoadResult<>(name, LoadState.BAD_SETTING, null, diagnostics);
            }
        }
        U unit = build.apply(builder);
        List<String> problems = checks.apply(unit);
        for (String problem : problems) {
            diagnostics.add(Diagnostic.unitLevel(name, Severity.ERROR, problem));
        }
        if (!problems.isEmpty()) {
            return new LoadResult<>(name, LoadState.BAD_SETTING, null, diagnostics);
        }
        if (stamps != null && diagnostics.isEmpty() && !specifiers.instanceExpanded()) {
            instances.remember(unitName, stamps, unit);
        }
        return new LoadResult<>(name, LoadState.LOADED, unit, diagnostics);
    }

    /** Loads a unit from an explicit file, by the file's name; dispatches on the type suffix. */
    public LoadResult<?> loadFile(Path file) {
        Path absolute = file.toAbsolutePath().normalize();
        String name = absolute.getFileName().toString();
        Optional<UnitType> type = UnitName.parse(name).flatMap(UnitName::type);
        if (type.isEmpty()) {
            return new LoadResult<>(name, LoadState.NOT_FOUND, null, List.of(Diagnostic.unitLevel(name,
                    Severity.ERROR, "Failed to prepare filename " + file + ": Invalid argument")));
        }
        return switch (type.get()) {
            case SOCKET -> socket(name, absolute);
            case SERVICE -> service(name, absolute);
        };
    }
}
