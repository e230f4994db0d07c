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
import dev.sockact.ctl.Json;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
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

    @picocli.CommandLine.Mixin
    ControlOptions control;

    @picocli.CommandLine.Mixin
    OutputOption output;

    @Option(names = {"-p", "--property"}, paramLabel = "PROP", split = ",",
            description = "Show only these properties (repeatable, or comma-separated).")
    List<String> properties;

    @Parameters(arity = "1..*", paramLabel = "NAME", description = "Unit names, e.g. foo.socket.")
    List<String> names;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (output.rejected(err)) {
            return 1;
        }
        Set<String> wanted = properties == null ? null : new HashSet<>(properties);
        if (unitDirs == null) {
            return fromDaemon(out, err, wanted);
        }
        int status = 0;
        List<Object> json = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            if (i > 0 && !output.json()) {
                out.println();
            }
            int s = offline(names.get(i), out, err, wanted, json);
            status = status == 0 ? s : status;
        }
        if (output.json()) {
            out.println(Json.write(json));
        }
        out.flush();
        return status;
    }

    private int fromDaemon(PrintWriter out, PrintWriter err, Set<String> wanted) {
        ControlOptions.Result result = control.query(ControlOptions.request("show", names), err);
        if (!(result.data() instanceof List<?> list)) {
            return result.status();
        }
        List<Object> json = new ArrayList<>();
        boolean first = true;
        for (Object o : list) {
            Map<?, ?> unit = (Map<?, ?>) o;
            List<Map.Entry<String, String>> shown = new ArrayList<>();
            for (Object pair : (List<?>) unit.get("properties")) {
                List<?> kv = (List<?>) pair;
                shown.add(Map.entry(String.valueOf(kv.get(0)), String.valueOf(kv.get(1))));
            }
            if (!first && !output.json()) {
                out.println();
            }
            first = false;
            print(String.valueOf(unit.get("unit")), shown, out, wanted, json);
        }
        if (output.json()) {
            out.println(Json.write(json));
        }
        return result.status();
    }

    /** Prints Key=value lines, or collects them as one JSON object (repeated keys become arrays). */
    private void print(String unit, List<Map.Entry<String, String>> shown, PrintWriter out, Set<String> wanted,
                       List<Object> json) {
        Map<String, Object> object = new LinkedHashMap<>();
        for (Map.Entry<String, String> property : shown) {
            if (wanted != null && !wanted.contains(property.getKey())) {
                continue;
            }
            if (output.json()) {
                object.merge(property.getKey(), property.getValue(), (a, b) -> {
                    List<Object> values = a instanceof List<?> l ? new ArrayList<>(l) : new ArrayList<>(List.of(a));
                    values.add(b);
                    return values;
                });
            } else {
                out.println(property.getKey() + "=" + property.getValue());
            }
        }
        if (output.json()) {
            json.add(Map.of("unit", unit, "properties", object));
        }
    }

    private int offline(String name, PrintWriter out, PrintWriter err, Set<String> wanted, List<Object> json) {
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
        print(name, shown, out, wanted, json);
        out.flush();
        err.flush();
        if (result.loaded()) {
            return 0;
        }
        return result.state() == LoadState.NOT_FOUND ? dev.sockact.ctl.ControlProtocol.NO_SUCH_UNIT : 1;
    }
}
