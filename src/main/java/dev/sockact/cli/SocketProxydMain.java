package dev.sockact.cli;

/** bin/socket-proxyd: the only place that exits the process. */
public final class SocketProxydMain {
    private SocketProxydMain() {
        throw new AssertionError();
    }

    public static void main(String[] args) {
        System.exit(GetoptStyle.configure(new picocli.CommandLine(new SocketProxydCommand()), "socket-proxyd").execute(args));
    }
}
