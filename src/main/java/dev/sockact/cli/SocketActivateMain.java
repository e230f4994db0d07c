package dev.sockact.cli;

import dev.sockact.posix.NativeWarmUp;
import java.io.PrintWriter;

/** bin/socket-activate: the only place that exits the process. */
public final class SocketActivateMain {
    private SocketActivateMain() {
        throw new AssertionError();
    }

    public static void main(String[] args) {
        // Link the native stub while the command line is parsed.
        NativeWarmUp.start();
        System.exit(run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }

    /** Runs with the output going to {@code out} and {@code err} (tests capture them). */
    static int run(PrintWriter out, PrintWriter err, String... args) {
        return new SocketActivateCommand(out, err).run(args);
    }
}
