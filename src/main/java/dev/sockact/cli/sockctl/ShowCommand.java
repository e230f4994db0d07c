package dev.sockact.cli.sockctl;

import dev.sockact.ctl.ControlProtocol;
import dev.sockact.ctl.Reply;
import dev.sockact.ctl.Request;
import dev.sockact.ctl.ShownUnit;
import dev.sockact.ctl.ShownUnit.Property;
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
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * {@code sockctl show UNIT... [-p PROP]...}: the unit as {@code Key=value} lines with {@code systemctl show}'s
 * property names and formats. Without {@code --unit-dir} it asks the running sockactd (live state: ActiveState,
 * SubState, NAccepted, MainPID, timestamps...); with {@code --unit-dir DIR} it parses the files offline. Exit 0
 * when every unit is loaded, 4 when one was not found, 1 when one did not load.
 */
@Command(name = "show", description = "Show the properties of a unit, as systemctl show does.")
public final class ShowCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--unit-dir", paramLabel = "DIR",
            description = "Parse units offline from DIR (repeatable; earlier ones win) instead of asking sockactd.")
    List<Path> unitDirs;

    @Option(names = {"-p", "--property"}, paramLabel = "PROP", split = ",",
            description = "Show only these properties (repeatable, or comma-separated).")
    List<String> properties;

    @Parameters(arity = "1..*", paramLabel = "NAME", description = "Unit names, e.g. foo.socket.")
    List<String> names;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        OutputOption output = OutputOption.of(spec);
        if (output.rejected(err)) {
            return 1;
        }
        Set<String> wanted = properties == null ? null : new HashSet<>(properties);
        if (unitDirs == null) {
            Reply reply = ControlOptions.of(spec).query(new Request.Show(ControlOptions.unitNames(names)), err);
            if (reply instanceof Reply.Properties shown) {
                print(shown.units(), wanted, output, out);
            }
            return reply.exitStatus();
        }
        int status = 0;
        List<ShownUnit> shown = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            if (i > 0 && !output.json()) {
                out.println();
            }
            OfflineUnit unit = offline(ControlOptions.mangle(names.get(i)), err);
            if (unit.shown() != null) {
                ShownUnit filtered = filter(unit.shown(), wanted);
                if (output.json()) {
                    shown.add(filtered);
                } else {
                    printLines(filtered, out);
                }
            }
            out.flush();
            status = status == 0 ? unit.status() : status;
        }
        if (output.json()) {
            OutputOption.printJson(out, new Reply.Properties(shown));
        }
        out.flush();
        return status;
    }

    /** Key=value lines, units separated by an empty line, or the units as JSON; only the wanted properties. */
    private static void print(List<ShownUnit> units, Set<String> wanted, OutputOption output, PrintWriter out) {
        List<ShownUnit> filtered = units.stream().map(u -> filter(u, wanted)).toList();
        if (output.json()) {
            OutputOption.printJson(out, new Reply.Properties(filtered));
            return;
        }
        for (int i = 0; i < filtered.size(); i++) {
            if (i > 0) {
                out.println();
            }
            printLines(filtered.get(i), out);
        }
    }

    private static ShownUnit filter(ShownUnit unit, Set<String> wanted) {
        return wanted == null ? unit : new ShownUnit(unit.unit(),
                unit.properties().stream().filter(p -> wanted.contains(p.name())).toList());
    }

    private static void printLines(ShownUnit unit, PrintWriter out) {
        for (Property property : unit.properties()) {
            out.println(property.name() + "=" + property.value());
        }
    }

    /** A unit parsed from the files (null for a name that is no unit's), and the status its loading gives. */
    private record OfflineUnit(ShownUnit shown, int status) {
    }

    private OfflineUnit offline(String name, PrintWriter err) {
        Optional<UnitType> type = UnitName.parse(name).flatMap(UnitName::type);
        if (type.isEmpty()) {
            err.println("Unit name " + name + " is not a .socket or .service unit.");
            return new OfflineUnit(null, 1);
        }
        UnitLoader loader = new UnitLoader(unitDirs, HostInfo.current(ManagerScope.SYSTEM));
        LoadResult<?> result = type.get() == UnitType.SOCKET ? loader.loadSocket(name) : loader.loadService(name);
        for (Diagnostic diagnostic : result.diagnostics()) {
            err.println(diagnostic.format());
        }
        err.flush();
        List<Map.Entry<String, String>> shown = switch (result.unit()) {
            case SocketUnit socket -> UnitProperties.of(socket);
            case ServiceUnit service -> UnitProperties.of(service);
            case null, default -> List.of(Map.entry("Id", name), Map.entry("LoadState", result.state().text()));
        };
        ShownUnit unit = new ShownUnit(name, shown.stream().map(e -> new Property(e.getKey(), e.getValue())).toList());
        if (result.loaded()) {
            return new OfflineUnit(unit, 0);
        }
        return new OfflineUnit(unit, result.state() == LoadState.NOT_FOUND ? ControlProtocol.NO_SUCH_UNIT : 1);
    }
}
