package dev.sockact.cli;

import dev.sockact.posix.NativeWarmUp;
import java.io.PrintWriter;

/** bin/socket-proxyd: the only place that exits the process. */
public final class SocketProxydMain {
    private SocketProxydMain() {
        throw new AssertionError();
    }

    public static void main(String[] args) {
        // Socket activation waits for us: link the native stub while the command line is parsed.
        NativeWarmUp.start();
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    static int run(String[] args, PrintWriter out, PrintWriter err) {
        return new SocketProxydCommand(out, err).run(args);
    }
}
