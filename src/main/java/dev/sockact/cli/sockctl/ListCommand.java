package dev.sockact.cli.sockctl;

import dev.sockact.ctl.ControlProtocol;
import dev.sockact.ctl.ListenEntry;
import dev.sockact.ctl.Reply;
import dev.sockact.ctl.Request;
import dev.sockact.ctl.SocketEntry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code sockctl list} ({@code list-sockets}): one row per listen address, LISTEN, (TYPE,) UNIT, ACTIVATES, sorted
 * by address then type as {@code systemctl list-sockets} sorts them, and the {@code N sockets listed.} legend.
 * Without {@code --all} inactive sockets are left out.
 */
@Command(name = "list", aliases = "list-sockets", description = "List socket units and what they activate.")
public final class ListCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-a", "--all"}, description = "Include inactive sockets.")
    boolean all;

    @Option(names = "--show-types", description = "Show the type of each socket.")
    boolean showTypes;

    @Option(names = "--no-legend", description = "Leave out the header and the legend.")
    boolean noLegend;

    /** One row of the table. */
    record Row(String listen, String type, String unit, String activates) {
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        OutputOption output = OutputOption.of(spec);
        if (output.rejected(err)) {
            return 1;
        }
        Reply reply = ControlOptions.of(spec).query(new Request.ListSockets(), err);
        if (!(reply instanceof Reply.SocketList list)) {
            return reply.exitStatus();
        }
        List<SocketEntry> shown = new ArrayList<>();
        List<Row> rows = new ArrayList<>();
        for (SocketEntry u : list.sockets()) {
            if (!all && u.active().equals("inactive")) {
                continue;
            }
            shown.add(u);
            String triggers = u.activates().isEmpty() ? "-" : String.join(", ", u.activates());
            for (ListenEntry listen : u.listen()) {
                rows.add(new Row(listen.address(), listen.type(), u.unit(), triggers));
            }
        }
        if (output.json()) {
            OutputOption.printJson(out, new Reply.SocketList(shown));
            return ControlProtocol.OK;
        }
        rows.sort(Comparator.comparing(Row::listen).thenComparing(Row::type));
        print(out, rows, showTypes, noLegend, all);
        return ControlProtocol.OK;
    }

    static void print(PrintWriter out, List<Row> rows, boolean showTypes, boolean noLegend, boolean all) {
        List<String[]> table = new ArrayList<>();
        if (!noLegend) {
            table.add(showTypes ? new String[] {"LISTEN", "TYPE", "UNIT", "ACTIVATES"}
                    : new String[] {"LISTEN", "UNIT", "ACTIVATES"});
        }
        for (Row r : rows) {
            table.add(showTypes ? new String[] {r.listen(), r.type(), r.unit(), r.activates()}
                    : new String[] {r.listen(), r.unit(), r.activates()});
        }
        if (!rows.isEmpty() || noLegend) {
            Columns.print(out, table, 0);
        }
        if (!noLegend) {
            if (!rows.isEmpty()) {
                out.println();
            }
            out.println(rows.size() + " sockets listed.");
            if (!all) {
                out.println("Pass --all to see loaded but inactive sockets, too.");
            }
        }
    }
}
