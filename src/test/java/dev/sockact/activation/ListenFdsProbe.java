package dev.sockact.activation;

import dev.sockact.posix.Io;
import dev.sockact.posix.Processes;
import dev.sockact.posix.Sockets;

/**
 * A consumer of the LISTEN_FDS protocol run as a child by {@link ListenFdsTest}:
 * prints what {@link ListenFds#fromEnvironment} made of its environment and fds,
 * one line per descriptor: {@code fd=3 name=web type=1 cloexec=true}.
 */
public final class ListenFdsProbe {
    private ListenFdsProbe() {
        throw new AssertionError();
    }

    public static void main(String[] args) throws Exception {
        try {
            var passed = ListenFds.fromEnvironment(System.getenv(), Processes.pid());
            System.out.println("count=" + passed.size());
            for (ListenFds.Passed p : passed) {
                System.out.println("fd=" + p.fd().fd() + " name=" + p.name() + " type=" + Sockets.type(p.fd().fd())
                        + " cloexec=" + Io.isCloseOnExec(p.fd().fd()));
            }
        } catch (ListenFds.MalformedException e) {
            System.out.println("malformed: " + e.getMessage());
        }
    }
}
