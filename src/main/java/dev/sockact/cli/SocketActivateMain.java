package dev.sockact.cli;

import java.io.PrintWriter;
import picocli.CommandLine;

/** bin/socket-activate: the only place that exits the process. */
public final class SocketActivateMain {
    private SocketActivateMain() {
        throw new AssertionError();
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        return run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
    }

    /** Runs with picocli's output going to {@code out} and {@code err} (tests capture them). */
    static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cl = GetoptStyle.configure(new CommandLine(new SocketActivateCommand()), "socket-activate");
        return cl.setOut(out).setErr(err).execute(args);
    }
}
