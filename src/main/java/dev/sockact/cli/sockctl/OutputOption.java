package dev.sockact.cli.sockctl;

import picocli.CommandLine.Option;

/** {@code -o/--output=short|json}: the text systemctl prints, or the daemon's answer as one line of JSON. */
public final class OutputOption {
    @Option(names = {"-o", "--output"}, paramLabel = "MODE", defaultValue = "short",
            description = "short (the default) or json.")
    String output;

    boolean json() {
        return output.equals("json") || output.equals("json-pretty");
    }

    /** Whether the mode is unknown; then it says so on {@code err}. */
    boolean rejected(java.io.PrintWriter err) {
        return switch (output) {
            case "short", "json", "json-pretty", "cat" -> false;
            default -> {
                err.println("Unknown output '" + output + "'.");
                yield true;
            }
        };
    }
}
