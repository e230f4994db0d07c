package dev.sockact.cli.sockctl;

import dev.sockact.unit.Diagnostic;
import dev.sockact.unit.HostInfo;
import dev.sockact.unit.ManagerScope;
import dev.sockact.unit.ServiceUnit;
import dev.sockact.unit.SocketUnit;
import dev.sockact.unit.UnitName;
import dev.sockact.unit.UnitProperties;
import dev.sockact.unit.UnitType;
import dev.sockact.unit.load.LoadResult;
import dev.sockact.unit.load.LoadState;
import dev.sockact.unit.load.UnitLoader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * {@code sockctl show --unit-dir DIR NAME [-p PROP]...}: the parsed unit as {@code Key=value} lines with
 * {@code systemctl show}'s property names and formats. Exit 0 when the unit loaded, 4 when it was not found, 1
 * when it did not load.
 */
@Command(name = "show", description = "Show the properties of a unit, as systemctl show does.")
public final class ShowCommand implements Callable<Integer> {

    static final int UNIT_NOT_FOUND = 4;

    @Spec
    CommandSpec spec;

    @Option(names = "--unit-dir", required = true, paramLabel = "DIR",
            description = "Directory to load units from (repeatable; earlier ones win).")
    List<Path> unitDirs;

    @Option(names = {"-p", "--property"}, paramLabel = "PROP", split = ",",
            description = "Show only these properties (repeatable, or comma-separated).")
    List<String> properties;

    @Parameters(index = "0", paramLabel = "NAME", description = "Unit name, e.g. foo.socket.")
    String name;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Optional<UnitType> type = UnitName.parse(name).flatMap(UnitName::type);
        if (type.isEmpty()) {
            err.println("Unit name " + name + " is not a .socket or .service unit.");
            return 1;
        }
        UnitLoader loader = new UnitLoader(unitDirs, HostInfo.current(ManagerScope.SYSTEM));
        LoadResult<?> result = type.get() == UnitType.SOCKET ? loader.loadSocket(name) : loader.loadService(name);
        for (Diagnostic diagnostic : result.diagnostics()) {
            err.println(diagnostic.format());
        }
        List<Map.Entry<String, String>> shown = switch (result.unit()) {
            case SocketUnit socket -> UnitProperties.of(socket);
            case ServiceUnit service -> UnitProperties.of(service);
            case null, default -> List.of(Map.entry("Id", name), Map.entry("LoadState", result.state().text()));
        };
        Set<String> wanted = properties == null ? null : new HashSet<>(properties);
        for (Map.Entry<String, String> property : shown) {
            if (wanted == null || wanted.contains(property.getKey())) {
                out.println(property.getKey() + "=" + property.getValue());
            }
        }
        out.flush();
        err.flush();
        if (result.loaded()) {
            return 0;
        }
        return result.state() == LoadState.NOT_FOUND ? UNIT_NOT_FOUND : 1;
    }
}
