package dev.sockact.cli.sockctl;

import dev.sockact.ctl.ControlCodec;
import dev.sockact.ctl.Reply;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

import java.io.PrintWriter;

/**
 * {@code -o/--output=short|cat|json}, global as systemctl's: the text systemctl prints, or the reply's records as
 * one line of JSON ({@link ControlCodec#data}); {@code cat} prints log lines ({@code journal}'s, {@code status}'s)
 * as their text alone, and changes nothing else, as in systemctl.
 */
public final class OutputOption {
    /** The name sockctl's top command gives this mixin. */
    public static final String MIXIN = "output";

    @Option(names = {"-o", "--output"}, paramLabel = "MODE", defaultValue = "short", scope = ScopeType.INHERIT,
            description = "short (the default), cat (log lines without their prefix) or json.")
    String output;

    /** The option of the sockctl command that {@code spec} is a subcommand of. */
    static OutputOption of(CommandSpec spec) {
        return (OutputOption) spec.root().mixins().get(MIXIN).userObject();
    }

    boolean cat() {
        return output.equals("cat");
    }

    boolean json() {
        return output.equals("json") || output.equals("json-pretty");
    }

    /** Whether the mode is unknown; then it says so on {@code err}. */
    boolean rejected(PrintWriter err) {
        return switch (output) {
            case "short", "json", "json-pretty", "cat" -> false;
            default -> {
                err.println("Unknown output '" + output + "'.");
                yield true;
            }
        };
    }

    /** Prints {@code reply}'s records as JSON, through the control protocol's codec. */
    static void printJson(PrintWriter out, Reply reply) {
        out.println(ControlCodec.data(reply));
    }
}
