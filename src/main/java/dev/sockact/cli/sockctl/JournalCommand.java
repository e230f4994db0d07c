package dev.sockact.cli.sockctl;

import dev.sockact.ctl.ControlProtocol;
import dev.sockact.ctl.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code sockctl journal -u UNIT [-n N] [-f]}: {@code journalctl -u}'s short output of the lines sockactd keeps for
 * the unit (its own output, with StandardOutput=journal, and what sockactd logged about it). {@code -f} prints new
 * lines as they come until interrupted: each request waits in the daemon for the unit's next line.
 */
@Command(name = "journal", description = "Show the log lines kept for a unit, as journalctl -u does.")
public final class JournalCommand implements Callable<Integer> {
    /** As many lines as sockactd keeps for a unit (UnitJournal.LINES_PER_UNIT). */
    private static final int ALL = 1000;

    @Spec
    CommandSpec spec;
    @Mixin
    ControlOptions control;
    @Mixin
    OutputOption output;

    @Option(names = {"-u", "--unit"}, required = true, paramLabel = "UNIT", description = "The unit, e.g. foo.service.")
    String unit;

    @Option(names = {"-n", "--lines"}, arity = "0..1", fallbackValue = "10", paramLabel = "N",
            description = "Show the last N lines (10 when N is left out; all kept lines without -n, 10 with -f).")
    Integer lines;

    @Option(names = {"-f", "--follow"}, description = "Print new lines as they come, until interrupted.")
    boolean follow;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (output.rejected(err)) {
            return ControlProtocol.FAILURE;
        }
        int first = lines != null ? Math.max(0, lines) : follow ? 10 : ALL;
        Map<?, ?> data = request(first, 0, false, err);
        if (data == null) {
            return ControlProtocol.FAILURE;
        }
        List<?> entries = (List<?>) data.get("entries");
        if (entries.isEmpty() && !follow) {
            out.println("-- No entries --");
        }
        JournalLines format = new JournalLines(data.get("daemonPid"));
        print(out, format, entries);
        while (follow) {
            data = request(ALL, data.get("cursor") instanceof Long c ? c : 0, true, err);
            if (data == null) {
                return ControlProtocol.FAILURE;
            }
            print(out, format, (List<?>) data.get("entries"));
        }
        return ControlProtocol.OK;
    }

    private Map<?, ?> request(int n, long after, boolean wait, PrintWriter err) {
        Map<String, Object> request = ControlOptions.request("journal", List.of(unit));
        request.put("lines", n);
        request.put("after", after);
        request.put("wait", wait);
        ControlOptions.Result result = control.query(request, err);
        return result.data() instanceof Map<?, ?> m && m.get("entries") instanceof List<?> ? m : null;
    }

    private void print(PrintWriter out, JournalLines format, List<?> entries) {
        for (Object o : entries) {
            Map<?, ?> entry = (Map<?, ?>) o;
            out.println(switch (output.output) {
                case "json", "json-pretty" -> Json.write(entry);
                case "cat" -> String.valueOf(entry.get("text"));
                default -> format.format(entry);
            });
        }
        out.flush();
    }
}
