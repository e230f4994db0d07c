package dev.sockact.cli;

import java.io.PrintWriter;
import picocli.CommandLine;

/**
 * Reports command-line errors in getopt's words, as systemd's tools do
 * ("socket-activate: unrecognized option '--bogus'"), with exit status 1.
 */
final class GetoptStyle implements CommandLine.IParameterExceptionHandler {
    private final String program;

    GetoptStyle(String program) {
        this.program = program;
    }

    static CommandLine configure(CommandLine commandLine, String program) {
        return commandLine.setParameterExceptionHandler(new GetoptStyle(program))
                .setStopAtPositional(true)
                .setOverwrittenOptionsAllowed(true)
                .setPosixClusteredShortOptionsAllowed(true);
    }

    @Override
    public int handleParseException(CommandLine.ParameterException e, String[] args) {
        PrintWriter err = e.getCommandLine().getErr();
        err.println(program + ": " + describe(e));
        err.flush();
        return 1;
    }

    private static String describe(CommandLine.ParameterException e) {
        if (e instanceof CommandLine.UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
            String arg = u.getUnmatched().getFirst();
            if (arg.startsWith("--")) {
                return "unrecognized option '" + arg.split("=", 2)[0] + "'";
            }
            if (arg.startsWith("-") && arg.length() > 1) {
                return "invalid option -- '" + arg.charAt(1) + "'";
            }
            return "unexpected argument '" + arg + "'";
        }
        if (e instanceof CommandLine.MissingParameterException m && m.getMissing() != null && !m.getMissing().isEmpty()
                && m.getMissing().getFirst() instanceof CommandLine.Model.OptionSpec option) {
            String longest = option.longestName();
            return longest.startsWith("--") && option.shortestName().equals(longest)
                    ? "option '" + longest + "' requires an argument"
                    : "option requires an argument -- '" + option.shortestName().substring(1) + "'";
        }
        return e.getMessage();
    }
}
