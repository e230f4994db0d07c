package dev.sockact.cli.sockctl;

import dev.sockact.ctl.ControlProtocol;
import dev.sockact.ctl.Reply;
import dev.sockact.ctl.Request;
import dev.sockact.ctl.UnitEntry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * {@code sockctl list-units [--type=socket|service] [--all] [PATTERN...]}: systemctl 252's table (a column for
 * the ● of a failed unit, UNIT, LOAD, ACTIVE, SUB, DESCRIPTION), sorted by type then name, and its legend. Without
 * {@code --all} inactive units are left out (failed ones are shown). sockactd has no job queue to show, so the JOB
 * column never appears, and the pointer to {@code list-unit-files} is left out (sockctl has no such command).
 */
@Command(name = "list-units", description = "List loaded units with systemctl's columns (UNIT LOAD ACTIVE SUB DESCRIPTION).")
public final class ListUnitsCommand implements Callable<Integer> {
    private static final List<String> TYPES = List.of("service", "socket");

    @Spec
    CommandSpec spec;

    @Option(names = {"-t", "--type"}, paramLabel = "TYPE", split = ",",
            description = "Only units of these types: socket, service (comma-separated or repeated; 'help' lists them).")
    List<String> types = new ArrayList<>();

    @Option(names = {"-a", "--all"}, description = "Include inactive units.")
    boolean all;

    @Option(names = "--no-legend", description = "Leave out the header and the legend.")
    boolean noLegend;

    @Option(names = "--plain", description = "Leave out the column with the ● of failed units.")
    boolean plain;

    @Parameters(arity = "0..*", paramLabel = "PATTERN", description = "Only units whose name matches a shell glob.")
    List<String> patterns = new ArrayList<>();

    /** One unit. */
    record Row(String unit, String load, String active, String sub, String description) {
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        OutputOption output = OutputOption.of(spec);
        if (output.rejected(err)) {
            return 1;
        }
        for (String t : types) {
            if (t.equals("help")) {
                out.println("Available unit types:");
                TYPES.forEach(out::println);
                return ControlProtocol.OK;
            }
            if (!TYPES.contains(t)) {
                err.println("Unknown unit type or load state '" + t + "'.");
                err.println("Use -t help to see a list of allowed values.");
                return ControlProtocol.FAILURE;
            }
        }
        Reply reply = ControlOptions.of(spec).query(new Request.ListUnits(), err);
        if (!(reply instanceof Reply.UnitList list)) {
            return reply.exitStatus();
        }
        List<Pattern> globs = patterns.stream().map(ListUnitsCommand::glob).toList();
        List<UnitEntry> shown = new ArrayList<>();
        List<Row> rows = new ArrayList<>();
        for (UnitEntry u : list.units()) {
            Row row = new Row(u.unit(), u.load(), u.active(), u.sub(), u.description());
            if (shows(row, types, all, globs)) {
                shown.add(u);
                rows.add(row);
            }
        }
        if (output.json()) {
            OutputOption.printJson(out, new Reply.UnitList(shown));
            return ControlProtocol.OK;
        }
        rows.sort(ORDER);
        print(out, rows, all, noLegend, plain);
        return ControlProtocol.OK;
    }

    /** systemctl's unit_info_compare: by type suffix, then by name, both ignoring case. */
    static final Comparator<Row> ORDER = Comparator
            .comparing((Row r) -> r.unit().substring(r.unit().lastIndexOf('.')), String.CASE_INSENSITIVE_ORDER)
            .thenComparing(Row::unit, String.CASE_INSENSITIVE_ORDER);

    /** systemctl's output_show_unit: type and pattern filters; without --all, inactive units are hidden. */
    static boolean shows(Row row, List<String> types, boolean all, List<Pattern> globs) {
        String type = row.unit().substring(row.unit().lastIndexOf('.') + 1);
        if (!types.isEmpty() && !types.contains(type)) {
            return false;
        }
        if (!globs.isEmpty() && globs.stream().noneMatch(g -> g.matcher(row.unit()).matches())) {
            return false;
        }
        return all || !row.active().equals("inactive");
    }

    /** A shell glob ({@code *}, {@code ?}, {@code [...]}) as a regular expression. */
    static Pattern glob(String glob) {
        StringBuilder b = new StringBuilder();
        boolean inClass = false;
        for (char c : glob.toCharArray()) {
            if (inClass) {
                b.append(c == '\\' ? "\\\\" : String.valueOf(c));
                inClass = c != ']';
            } else if (c == '*') {
                b.append(".*");
            } else if (c == '?') {
                b.append('.');
            } else if (c == '[') {
                b.append('[');
                inClass = true;
            } else {
                b.append(Pattern.quote(String.valueOf(c)));
            }
        }
        try {
            return Pattern.compile(inClass ? Pattern.quote(glob) : b.toString());
        } catch (PatternSyntaxException e) {
            return Pattern.compile(Pattern.quote(glob));
        }
    }

    /** systemctl 252's output_units_list, without colours and without the JOB column. */
    static void print(PrintWriter out, List<Row> rows, boolean all, boolean noLegend, boolean plain) {
        List<String[]> table = new ArrayList<>();
        if (!noLegend) {
            table.add(new String[] {"", "UNIT", "LOAD", "ACTIVE", "SUB", "DESCRIPTION"});
        }
        for (Row r : rows) {
            table.add(new String[] {r.active().equals("failed") ? "●" : " ", r.unit(), r.load(), r.active(), r.sub(),
                    r.description()});
        }
        if (!rows.isEmpty()) {
            Columns.print(out, table, plain ? 1 : 0);
        }
        if (noLegend) {
            return;
        }
        if (!rows.isEmpty()) {
            out.println();
            out.println("LOAD   = Reflects whether the unit definition was properly loaded.");
            out.println("ACTIVE = The high-level unit activation state, i.e. generalization of SUB.");
            out.println("SUB    = The low-level unit activation state, values depend on unit type.");
        }
        out.println(rows.size() + " loaded units listed." + (all ? "" : " Pass --all to see loaded but inactive units, too."));
    }
}
