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

    /** Null when the mode is known, else the message. */
    String invalid() {
        return switch (output) {
            case "short", "json", "json-pretty", "cat" -> null;
            default -> "Unknown output '" + output + "'.";
        };
    }
}
