package dev.sockact.cli;

import dev.sockact.text.Getopt;
import dev.sockact.activation.ListenFds;
import dev.sockact.activation.ListenSockets;
import dev.sockact.posix.ErrnoException;
import dev.sockact.posix.Fd;
import dev.sockact.posix.Io;
import dev.sockact.posix.Processes;
import dev.sockact.posix.SockAddr;
import dev.sockact.posix.Sockets;
import dev.sockact.proxy.ProxyArguments;
import dev.sockact.proxy.ProxyEngine;
import dev.sockact.proxy.ProxyListener;
import dev.sockact.proxy.TargetResolver;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * socket-proxyd: forwards every connection on the inherited (or --listen)
 * sockets to one target, as systemd-socket-proxyd(8) does, with the same
 * arguments, messages and exit status.
 */
final class SocketProxydCommand extends GetoptCommand {
    SocketProxydCommand(PrintWriter out, PrintWriter err) {
        super("socket-proxyd", ProxyArguments.OPTIONS, HELP, out, err);
    }

    /** A message for the user and the exit status 1, the only failure status systemd's proxy has. */
    private static final class Failure extends Exception {
        private static final long serialVersionUID = 1L;

        Failure(String message) {
            super(message);
        }
    }

    @Override
    protected int execute(Getopt.Result parsed) {
        try {
            ProxyArguments arguments = ProxyArguments.from(parsed);
            // A literal target is resolved before the listeners are read (see TargetResolver).
            TargetResolver target = new TargetResolver(arguments.target());
            List<ProxyListener> listeners = listeners(arguments.listen()).stream()
                    .map(fd -> new ProxyListener(fd, target)).toList();
            SocketProxydProcess process = new SocketProxydProcess(System.getenv(), arguments.config().idleNanos());
            ProxyEngine engine = new ProxyEngine(arguments.config(), process, System.getLogger("socket-proxyd"));
            process.serve(engine);
            StopSignals.onTermination(process::stop);
            try {
                engine.run(listeners);
            } finally {
                process.close();
            }
            return 0;
        } catch (ProxyArguments.InvalidException | Failure | ErrnoException e) {
            return fail(e.getMessage());
        }
    }

    private static List<Fd> listeners(List<SockAddr> listen) throws Failure, ErrnoException {
        List<Fd> fds = new ArrayList<>();
        try {
            for (ListenFds.Passed passed : ListenFds.fromEnvironment(System.getenv(), Processes.pid())) {
                // A listening stream socket of any family (INET, INET6, UNIX, VSOCK), as systemd requires.
                if (!passed.isListeningStream()) {
                    throw new Failure("Passed in socket is not a stream socket.");
                }
                Io.setNonBlocking(passed.fd().fd(), true);
                fds.add(passed.fd());
            }
        } catch (ListenFds.MalformedException e) {
            throw new Failure("Failed to receive sockets from parent.");
        }
        for (SockAddr address : listen) {
            try {
                Fd fd = ListenSockets.open(address, ListenSockets.Options.activateDefaults(Sockets.SOCK_STREAM));
                Io.setNonBlocking(fd.fd(), true);
                fds.add(fd);
            } catch (ErrnoException e) {
                throw new Failure("Failed to listen on " + address + ": " + e.reason());
            }
        }
        if (fds.isEmpty()) {
            throw new Failure("Didn't get any sockets passed in.");
        }
        return fds;
    }

    static final String HELP = """
            socket-proxyd [HOST:PORT]
            socket-proxyd [SOCKET]

            Bidirectionally proxy local sockets to another (possibly remote) socket.

              -c --connections-max=  Set the maximum number of connections to be accepted
                 --exit-idle-time=   Exit when without a connection for this duration. See
                                     the systemd.time(7) man page for time span format
              -h --help              Show this help
                 --version           Show package version

            Extensions (not in systemd-socket-proxyd):
                 --listen=ADDR       Also listen on ADDR (ListenStream= syntax); repeatable,
                                     so no socket-activating parent is needed
                 --connect-timeout=  Give up connecting to the target after this long
                 --connect-retry=    While the target refuses or is unreachable, try again
                                     (back-off from 1 ms doubling to 100 ms) for this long
                 --threads=N         Spread connections over N event loops (default: one
                                     per CPU, at most 8)

            See docs/socket-proxyd.md for details.
            """;}
