package dev.sockact.cli.sockctl;

import dev.sockact.ctl.ControlProtocol;
import dev.sockact.ctl.Reply;
import dev.sockact.ctl.Request;
import dev.sockact.ctl.UnitStatus.LogLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
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
        OutputOption output = OutputOption.of(spec);
        if (output.rejected(err)) {
            return ControlProtocol.FAILURE;
        }
        String name = ControlOptions.mangle(unit);
        int first = lines != null ? Math.max(0, lines) : follow ? 10 : ALL;
        Reply reply = ControlOptions.of(spec).query(new Request.Journal(name, first, 0, false), err);
        if (!(reply instanceof Reply.Journal journal)) {
            return reply.exitStatus();
        }
        if (journal.entries().isEmpty() && !follow && !output.json()) {
            out.println("-- No entries --");
        }
        JournalLines format = new JournalLines(journal.daemonPid());
        print(out, output, format, journal);
        while (follow) {
            reply = ControlOptions.of(spec).query(new Request.Journal(name, ALL, journal.cursor(), true), err);
            if (!(reply instanceof Reply.Journal next)) {
                return reply.exitStatus();
            }
            journal = next;
            if (!journal.entries().isEmpty()) {
                print(out, output, format, journal);
            }
        }
        return ControlProtocol.OK;
    }

    /** The lines as journalctl's short output, their text alone ({@code -o cat}), or the reply as JSON. */
    private static void print(PrintWriter out, OutputOption output, JournalLines format, Reply.Journal journal) {
        if (output.json()) {
            OutputOption.printJson(out, journal);
        } else {
            for (LogLine line : journal.entries()) {
                out.println(output.cat() ? line.text() : format.format(line));
            }
        }
        out.flush();
    }
}
