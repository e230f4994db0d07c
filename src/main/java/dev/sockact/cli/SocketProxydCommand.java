package dev.sockact.cli;

import dev.sockact.activation.InvalidAddressException;
import dev.sockact.activation.ListenAddress;
import dev.sockact.activation.ListenFds;
import dev.sockact.activation.ListenSockets;
import dev.sockact.posix.ErrnoException;
import dev.sockact.posix.Fd;
import dev.sockact.posix.Io;
import dev.sockact.posix.Processes;
import dev.sockact.posix.SockAddr;
import dev.sockact.posix.Sockets;
import dev.sockact.proxy.ProxyConfig;
import dev.sockact.proxy.ProxyEngine;
import dev.sockact.proxy.ProxyListener;
import dev.sockact.proxy.Target;
import dev.sockact.proxy.TargetResolver;
import dev.sockact.unit.TimeSpan;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * socket-proxyd: forwards every connection on the inherited (or --listen)
 * sockets to one target, as systemd-socket-proxyd(8) does, with the same
 * arguments, messages and exit status.
 */
final class SocketProxydCommand extends GetoptCommand {
    /** Event loops by default at most: one per CPU up to this (see {@link #defaultLoops}). */
    private static final int MAX_DEFAULT_LOOPS = 8;

    private static final Getopt OPTIONS = new Getopt(List.of(
            new Getopt.Spec('h', "help", false),
            new Getopt.Spec((char) 0, "version", false),
            new Getopt.Spec('c', "connections-max", true),
            new Getopt.Spec((char) 0, "exit-idle-time", true),
            new Getopt.Spec((char) 0, "listen", true),
            new Getopt.Spec((char) 0, "connect-timeout", true),
            new Getopt.Spec((char) 0, "threads", true)));

    private String connectionsMax;
    private String exitIdleTime;
    private List<String> listen = new ArrayList<>();
    private String connectTimeout;
    private String threads;
    private List<String> positional = new ArrayList<>();

    SocketProxydCommand(PrintWriter out, PrintWriter err) {
        super("socket-proxyd", OPTIONS, HELP, out, err);
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
        connectionsMax = parsed.last("connections-max");
        exitIdleTime = parsed.last("exit-idle-time");
        listen = parsed.all("listen");
        connectTimeout = parsed.last("connect-timeout");
        threads = parsed.last("threads");
        positional = parsed.operands();
        try {
            ProxyConfig config = config();
            // A literal target is resolved before the listeners are read (see TargetResolver).
            TargetResolver target = new TargetResolver(target());
            List<ProxyListener> listeners = listeners().stream().map(fd -> new ProxyListener(fd, target)).toList();
            SocketProxydProcess process = new SocketProxydProcess(System.getenv(), config.idleNanos());
            ProxyEngine engine = new ProxyEngine(config, process, System.getLogger("socket-proxyd"));
            process.serve(engine);
            StopSignals.onTermination(process::stop);
            try {
                engine.run(listeners);
            } finally {
                process.close();
            }
            return 0;
        } catch (Failure | ErrnoException e) {
            return fail(e.getMessage());
        }
    }

    private ProxyConfig config() throws Failure {
        int max = ProxyConfig.DEFAULT_CONNECTIONS_MAX;
        if (connectionsMax != null) {
            max = unsigned(connectionsMax, "--connections-max=");
            if (max == 0) {
                throw new Failure("Connection limit is too low.");
            }
        }
        long idle = span(exitIdleTime, "--exit-idle-time=");
        long timeout = span(connectTimeout, "--connect-timeout=");
        int loops = threads == null ? defaultLoops() : unsigned(threads, "--threads=");
        if (loops < 1 || loops > 64) {
            throw new Failure("Failed to parse --threads= argument: " + threads + " (1 to 64)");
        }
        if (positional.isEmpty()) {
            throw new Failure("Not enough parameters.");
        }
        if (positional.size() > 1) {
            throw new Failure("Too many parameters.");
        }
        target();   // checked with the options, before any socket is touched
        return new ProxyConfig(max, idle, timeout, loops);
    }

    private Target target() throws Failure {
        Target target;
        try {
            target = Target.parse(positional.getFirst());
            if (target instanceof Target.HostPort hp) {
                // Fail now on a port that can never work, not on every connection.
                hp.port();
            }
        } catch (IllegalArgumentException e) {
            throw new Failure(e.getMessage());
        }
        return target;
    }

    private List<Fd> listeners() throws Failure, ErrnoException {
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
        for (String text : listen) {
            SockAddr address;
            try {
                address = ListenAddress.parse(text);
            } catch (InvalidAddressException e) {
                throw new Failure("Failed to parse --listen= argument: " + text + ": " + e.getMessage());
            }
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

    private static int unsigned(String value, String option) throws Failure {
        if (value.isEmpty() || !value.chars().allMatch(Character::isDigit)) {
            throw new Failure("Failed to parse " + option + " argument: " + value);
        }
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new Failure("Failed to parse " + option + " argument: " + value);
        }
    }

    private static long span(String value, String option) throws Failure {
        if (value == null) {
            return Long.MAX_VALUE;
        }
        try {
            return TimeSpan.parseSec(value).toNanos();
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new Failure("Failed to parse " + option + " argument: " + value);
        }
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
                 --threads=N         Spread connections over N event loops (default: one
                                     per CPU, at most 8)

            See docs/socket-proxyd.md for details.
            """;

    /**
     * One event loop per CPU this process may use, at most {@link #MAX_DEFAULT_LOOPS}. On the 2-CPU bench machine
     * (wrk and nginx on the same CPUs), in 20 paired rounds against haproxy (bench/pairs): a new connection per
     * request 1.07x with two loops against 0.93x with one, which runs out of its one core; keep-alive the same with
     * one or two (1.07x, 1.08x). The cap keeps a proxy on a large machine small; --threads= goes further.
     */
    private static int defaultLoops() {
        return Math.min(Runtime.getRuntime().availableProcessors(), MAX_DEFAULT_LOOPS);
    }
}
