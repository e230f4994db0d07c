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
import dev.sockact.metrics.MetricsEndpoint;
import dev.sockact.metrics.ProcessMetrics;
import dev.sockact.proxy.ProxyArguments;
import dev.sockact.proxy.ProxyMetrics;
import dev.sockact.proxy.ProxyEngine;
import dev.sockact.proxy.ProxyListener;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

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
            var resolvers = arguments.resolvers();
            List<String> names = new ArrayList<>();
            Map<Fd, ProxyListener.ReusePortGroup> groups = new HashMap<>();
            List<ProxyListener> listeners = arguments.listeners(resolvers, listeners(arguments.listen(),
                    arguments.listenDatagram(), arguments.config().threads() > 1, names, groups), names).stream()
                    .map(l -> groups.containsKey(l.socket()) ? l.spreadThrough(groups.get(l.socket())) : l)
                    .toList();
            arguments.checkSockets(hasDatagram(listeners));
            SocketProxydProcess process = new SocketProxydProcess(System.getenv(), arguments.config().idleNanos());
            ProxyEngine engine = new ProxyEngine(arguments.config(), process, System.getLogger("socket-proxyd"));
            process.serve(engine);
            StopSignals.onTermination(process::stop);
            MetricsEndpoint metrics = null;
            if (arguments.metrics().isPresent()) {
                SockAddr address = arguments.metrics().get();
                try {
                    metrics = MetricsEndpoint.start(address, List.of(new ProxyMetrics(engine, null),
                            new ProcessMetrics()), System.getLogger("socket-proxyd"));
                } catch (ErrnoException e) {
                    throw new Failure("Failed to listen on " + address + " for --metrics=: " + e.reason());
                }
            }
            try {
                engine.run(listeners);
            } finally {
                if (metrics != null) {
                    metrics.close();
                }
                process.close();
            }
            return 0;
        } catch (ProxyArguments.InvalidException | Failure | ErrnoException e) {
            return fail(e.getMessage());
        }
    }

    private static boolean hasDatagram(List<ProxyListener> listeners) throws ErrnoException {
        for (ProxyListener listener : listeners) {
            if (Sockets.type(listener.socket().fd()) == Sockets.SOCK_DGRAM) {
                return true;
            }
        }
        return false;
    }

    /**
     * The sockets to serve, their FileDescriptorName= added to {@code names} (none for --listen= and
     * --listen-datagram= ones). With {@code spread}, an IP --listen-datagram= socket is bound with SO_REUSEPORT and
     * put in {@code groups} with how to open more members, one per event loop.
     */
    private static List<Fd> listeners(List<SockAddr> listen, List<SockAddr> listenDatagram, boolean spread,
                                      List<String> names, Map<Fd, ProxyListener.ReusePortGroup> groups)
            throws Failure, ErrnoException {
        List<Fd> fds = new ArrayList<>();
        try {
            for (ListenFds.Passed passed : ListenFds.fromEnvironment(System.getenv(), Processes.pid())) {
                // A listening stream socket of any family (INET, INET6, UNIX, VSOCK), as systemd requires,
                // or a datagram socket (ListenDatagram=), which systemd's refuses: forwarded in sessions.
                if (!passed.isListeningStream() && passed.socketType() != Sockets.SOCK_DGRAM) {
                    throw new Failure("Passed in socket is not a stream socket.");
                }
                Io.setNonBlocking(passed.fd().fd(), true);
                fds.add(passed.fd());
                names.add(passed.name());
            }
        } catch (ListenFds.MalformedException e) {
            throw new Failure("Failed to receive sockets from parent.");
        }
        for (SockAddr address : listen) {
            try {
                Fd fd = ListenSockets.open(address, ListenSockets.Options.activateDefaults(Sockets.SOCK_STREAM));
                Io.setNonBlocking(fd.fd(), true);
                fds.add(fd);
                names.add("");
            } catch (ErrnoException e) {
                throw new Failure("Failed to listen on " + address + ": " + e.reason());
            }
        }
        for (SockAddr address : listenDatagram) {
            try {
                boolean reusePort = spread && (address instanceof SockAddr.In4 || address instanceof SockAddr.In6);
                Fd fd = openDatagram(address, reusePort);
                fds.add(fd);
                names.add("");
                if (reusePort) {
                    // The members bind the address the first got (a port 0 was chosen by the kernel).
                    SockAddr bound = Sockets.localAddress(fd.fd());
                    groups.put(fd, () -> openDatagram(bound, true));
                }
            } catch (ErrnoException e) {
                throw new Failure("Failed to listen on " + address + " (datagram): " + e.reason());
            }
        }
        if (fds.isEmpty()) {
            throw new Failure("Didn't get any sockets passed in.");
        }
        return fds;
    }

    private static Fd openDatagram(SockAddr address, boolean reusePort) throws ErrnoException {
        Fd fd = ListenSockets.open(address, ListenSockets.Options.activateDefaults(Sockets.SOCK_DGRAM), 0, socket -> {
            if (reusePort) {
                Sockets.setIntOption(socket.fd(), Sockets.SOL_SOCKET, Sockets.SO_REUSEPORT, 1);
            }
        });
        Io.setNonBlocking(fd.fd(), true);
        return fd;
    }

    static final String HELP = """
            socket-proxyd [HOST:PORT]
            socket-proxyd [SOCKET]
            socket-proxyd NAME=TARGET [NAME=TARGET...]

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
                 --proxy-protocol=v1|v2
                                     Send a PROXY protocol header (the client's and the
                                     local address) to the target ahead of the client's
                                     bytes; only v2 on datagrams, ahead of each one
                 --connection-idle-time=
                                     Close a connection after this long without traffic
                                     in either direction; end a datagram session after
                                     this long without a datagram (default: 60s)
                 --listen-datagram=ADDR
                                     Also receive datagrams on ADDR (ListenDatagram=
                                     syntax); repeatable. Passed datagram sockets are
                                     forwarded too: one session per client address
              NAME=TARGET            Sockets named NAME (FileDescriptorName=) go to TARGET;
                                     every passed socket needs one. TARGET may also be
                                     vsock:CID:PORT
                 --busy-poll=SPAN    Poll up to this long (adapted) for the next datagram
                                     before sleeping (default: 50us; 0: never)
                 --metrics=ADDR      Serve Prometheus metrics on ADDR (ListenStream=
                                     syntax) at GET /metrics

            See docs/socket-proxyd.md for details.
            """;}
