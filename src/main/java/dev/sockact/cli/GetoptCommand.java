package dev.sockact.cli;

import dev.sockact.text.Getopt;
import java.io.PrintWriter;

/**
 * A command line read with {@link Getopt}, as systemd's tools read theirs: getopt's messages for usage
 * errors, {@code --help} and {@code --version} answered before anything else, exit status 1 for every
 * failure. Subclasses do the rest in {@link #execute}.
 */
abstract class GetoptCommand {
    protected final PrintWriter out;
    protected final PrintWriter err;
    private final String program;
    private final Getopt options;
    private final String help;

    GetoptCommand(String program, Getopt options, String help, PrintWriter out, PrintWriter err) {
        this.program = program;
        this.options = options;
        this.help = help;
        this.out = out;
        this.err = err;
    }

    /** Parses {@code args} and runs: the exit status. */
    final int run(String[] args) {
        Getopt.Result parsed;
        try {
            parsed = options.parse(args);
        } catch (Getopt.UsageException e) {
            return fail(program + ": " + e.getMessage());
        }
        if (parsed.has("help")) {
            out.print(help);
            out.flush();
            return 0;
        }
        if (parsed.has("version")) {
            out.println(Version.of(program));
            out.flush();
            return 0;
        }
        return execute(parsed);
    }

    /** Everything after --help and --version. */
    protected abstract int execute(Getopt.Result parsed);

    /** Prints {@code message} on stderr and returns 1, the status systemd's tools give every failure. */
    protected final int fail(String message) {
        err.println(message);
        err.flush();
        return 1;
    }
}
