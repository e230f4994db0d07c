package dev.sockact.cli;

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
        CommandLine cl = GetoptStyle.configure(new CommandLine(new SocketActivateCommand()), "socket-activate");
        return cl.execute(args);
    }
}
