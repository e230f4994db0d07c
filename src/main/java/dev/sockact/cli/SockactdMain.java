package dev.sockact.cli;

import java.io.PrintWriter;

/** bin/sockactd: the only place that exits the process. */
public final class SockactdMain {
    private SockactdMain() {
        throw new AssertionError();
    }

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    static int run(String[] args, PrintWriter out, PrintWriter err) {
        return new SockactdCommand(out, err).run(args);
    }
}
