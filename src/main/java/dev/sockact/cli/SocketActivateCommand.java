package dev.sockact.cli;

import dev.sockact.text.Getopt;
import dev.sockact.activation.ConnectionAcceptor;
import dev.sockact.activation.ConnectionSpawner;
import dev.sockact.activation.InvalidAddressException;
import dev.sockact.activation.ListenAddress;
import dev.sockact.activation.ListenEnvironment;
import dev.sockact.activation.ListenFds;
import dev.sockact.activation.ListenSockets;
import dev.sockact.activation.Program;
import dev.sockact.activation.SdNotify;
import dev.sockact.event.EventLoop;
import dev.sockact.event.Watch;
import dev.sockact.log.RateLimitedLog;
import dev.sockact.posix.Epoll;
import dev.sockact.posix.Errno;
import dev.sockact.posix.ErrnoException;
import dev.sockact.posix.Fd;
import dev.sockact.posix.Pidfd;
import dev.sockact.posix.Processes;
import dev.sockact.posix.SockAddr;
import dev.sockact.posix.Sockets;
import dev.sockact.posix.SpawnServer;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * socket-activate: listen on sockets, then run a program with them, as
 * systemd-socket-activate(1) does. Without --accept it waits for the first
 * connection and execs the program in its own place (so LISTEN_PID is our
 * pid); with --accept it runs one child per connection.
 */
final class SocketActivateCommand extends GetoptCommand {
    private static final System.Logger LOG = System.getLogger("socket-activate");
    /** How long accepting pauses when out of descriptors or memory. */
    static final long ACCEPT_PAUSE_NANOS = 1_000_000_000L;
    private static final RateLimitedLog ACCEPT_FAILED = new RateLimitedLog(LOG);
    private static final RateLimitedLog SPAWN_FAILED = new RateLimitedLog(LOG);
    /** Variables kept from our environment; everything else is scrubbed, as systemd does. */
    private static final List<String> KEPT_VARIABLES = List.of("TERM", "PATH", "USER", "HOME", "COLORTERM", "NO_COLOR");
    private static final int FDNAME_MAX = 255;

    /** getopt "+": option parsing stops at the command, whose own options are its business. */
    private static final Getopt OPTIONS = new Getopt(List.of(
            new Getopt.Spec('h', "help", false),
            new Getopt.Spec((char) 0, "version", false),
            new Getopt.Spec('l', "listen", true),
            new Getopt.Spec('d', "datagram", false),
            new Getopt.Spec((char) 0, "seqpacket", false),
            new Getopt.Spec('a', "accept", false),
            new Getopt.Spec('E', "setenv", true, List.of("environment")),
            new Getopt.Spec((char) 0, "fdname", true),
            new Getopt.Spec((char) 0, "inetd", false),
            new Getopt.Spec((char) 0, "now", false)), true);

    List<String> listen = new ArrayList<>();
    boolean datagram;
    boolean seqpacket;
    boolean accept;
    List<String> setenv = new ArrayList<>();
    List<String> fdnames = new ArrayList<>();
    boolean inetd;
    boolean now;
    List<String> command = new ArrayList<>();

    SocketActivateCommand(PrintWriter out, PrintWriter err) {
        super("socket-activate", OPTIONS, HELP, out, err);
    }

    @Override
    protected int execute(Getopt.Result parsed) {
        listen = parsed.all("listen");
        datagram = parsed.has("datagram");
        seqpacket = parsed.has("seqpacket");
        accept = parsed.has("accept");
        setenv = parsed.all("setenv");
        fdnames = parsed.all("fdname");
        inetd = parsed.has("inetd");
        now = parsed.has("now");
        command = parsed.operands();
        String conflict = conflict();
        if (conflict != null) {
            return fail(conflict);
        }
        try {
            return run();
        } catch (ErrnoException e) {
            return fail(e.getMessage());
        }
    }

    /** The option conflicts systemd-socket-activate refuses, in its words; null when none. */
    String conflict() {
        if (command.isEmpty()) {
            return "socket-activate: command to execute is missing.";
        }
        if (datagram && seqpacket) {
            return "--seqpacket may not be combined with --datagram.";
        }
        if (datagram && accept) {
            return "Datagram sockets do not accept connections. The --datagram and --accept options may not be combined.";
        }
        if (now && accept) {
            return "--now cannot be combined with --accept.";
        }
        return null;
    }

    private int run() throws ErrnoException {
        List<Fd> fds = new ArrayList<>();
        try {
            for (ListenFds.Passed passed : ListenFds.fromEnvironment(System.getenv(), Processes.pid())) {
                fds.add(passed.fd());
            }
        } catch (ListenFds.MalformedException e) {
            return fail("Failed to get passed file descriptors: " + e.getMessage());
        }
        // Before any socket is opened, as newer systemd checks it at parse time.
        if (inetd && !accept && listen.size() + fds.size() != 1) {
            return fail("--inetd only supported for single file descriptors.");
        }
        int type = datagram ? Sockets.SOCK_DGRAM : seqpacket ? Sockets.SOCK_SEQPACKET : Sockets.SOCK_STREAM;
        for (String text : listen) {
            SockAddr address;
            try {
                address = ListenAddress.parse(text);
            } catch (InvalidAddressException e) {
                String strerror = e.errno().text();
                return fail("Failed to parse socket address \"" + text + "\": " + strerror + "\n"
                        + "Failed to open '" + text + "': " + strerror);
            }
            try {
                fds.add(ListenSockets.open(address, ListenSockets.Options.activateDefaults(type)));
            } catch (ErrnoException e) {
                // systemd's two lines: make_socket_fd() and then open_sockets() report it.
                return fail("Failed to listen on " + address + ": " + e.strerror() + "\n"
                        + "Failed to open '" + text + "': " + e.strerror());
            }
            LOG.log(System.Logger.Level.INFO, "Listening on " + address + " as " + (ListenFds.START + fds.size() - 1) + ".");
        }
        if (fds.isEmpty()) {
            return fail("No sockets to listen on specified or passed in.");
        }
        List<String> names = fdNames(fds.size());
        Program program;
        try {
            program = Program.resolve(command, System.getenv("PATH"));
        } catch (ErrnoException e) {
            return fail("Failed to execp " + command.getFirst() + " (" + String.join(" ", command) + "): " + e.strerror());
        }
        List<String> environment = childEnvironment();
        notifyReady();
        return accept ? acceptForever(fds, program, environment, names) : execOnFirstConnection(fds, program, environment, names);
    }

    /** Waits for the first connection (unless --now), then becomes the program. */
    private int execOnFirstConnection(List<Fd> fds, Program program, List<String> environment, List<String> names)
            throws ErrnoException {
        if (!now) {
            try (Epoll epoll = Epoll.create(fds.size())) {
                for (int i = 0; i < fds.size(); i++) {
                    epoll.add(fds.get(i).fd(), Epoll.EPOLLIN, i);
                }
                while (epoll.await(-1) == 0) {
                    // EINTR: wait again
                }
                LOG.log(System.Logger.Level.INFO, "Communication attempt on fd " + (ListenFds.START + epoll.readyToken(0)) + ".");
            }
        }
        List<String> env = inetd ? environment : new ArrayList<>(ListenEnvironment.withListenFds(environment, fds.size(), names));
        if (!inetd) {
            env.add("LISTEN_PID=" + Processes.pid());
            // systemd 259: which process LISTEN_PID means, beyond a pid that can be reused (pidfs kernels only).
            Pidfd.inodeId(Processes.pid()).ifPresent(id -> env.add("LISTEN_PIDFDID=" + Long.toUnsignedString(id)));
        }
        LOG.log(System.Logger.Level.INFO, "Execing " + program.describe());
        ErrnoException failure = Processes.execute(program.path(), program.argv(), env, fds, inetd);
        System.err.println("Failed to execp " + program.describe() + ": " + failure.strerror());
        return 1;
    }

    /** One child per connection, until killed. */
    private int acceptForever(List<Fd> fds, Program program, List<String> environment, List<String> names)
            throws ErrnoException {
        // A child per connection: through the spawn server, as sockactd's (its start costs one exec, once).
        SpawnServer.start();
        // As systemd: each connection's LISTEN_FDNAMES is the --fdname names as given, joined.
        ConnectionSpawner spawner = new ConnectionSpawner(program, environment, inetd, names);
        // systemd-socket-activate has no connection limits; the acceptor only counts.
        ConnectionAcceptor acceptor = ConnectionAcceptor.unlimited();
        try (EventLoop loop = EventLoop.create()) {
            loop.onHandlerFailure(t -> LOG.log(System.Logger.Level.WARNING, "Failed to handle connection: " + t.getMessage()));
            for (Fd listener : fds) {
                watchListener(loop, listener, acceptor, spawner);
            }
            loop.run();
        }
        return 0;
    }

    /**
     * Accepts from {@code listener} on {@code loop}. Out of descriptors or memory, the listener is left alone for
     * {@link #ACCEPT_PAUSE_NANOS}: it stays readable, and accepting again at once would spin and log every time.
     */
    private void watchListener(EventLoop loop, Fd listener, ConnectionAcceptor acceptor, ConnectionSpawner spawner)
            throws ErrnoException {
        Watch[] watch = new Watch[1];
        watch[0] = loop.watch(listener.fd(), Epoll.EPOLLIN, events -> {
            if (!acceptOne(loop, listener, acceptor, spawner)) {
                watch[0].cancel();
                resumeLater(loop, listener, acceptor, spawner);
            }
        });
    }

    private void resumeLater(EventLoop loop, Fd listener, ConnectionAcceptor acceptor, ConnectionSpawner spawner) {
        loop.schedule(ACCEPT_PAUSE_NANOS, () -> {
            try {
                watchListener(loop, listener, acceptor, spawner);
            } catch (ErrnoException e) {
                resumeLater(loop, listener, acceptor, spawner);   // epoll needs memory too: still short
            }
        });
    }

    /** False when accepting failed for want of descriptors or memory. */
    private boolean acceptOne(EventLoop loop, Fd listener, ConnectionAcceptor acceptor, ConnectionSpawner spawner)
            throws ErrnoException {
        ConnectionAcceptor.Connection connection;
        try {
            connection = acceptor.accept(listener);
        } catch (ErrnoException e) {
            ACCEPT_FAILED.log(System.Logger.Level.WARNING, e.getMessage());
            return !Errno.isResourceExhaustion(e.errno());
        }
        if (connection == null) {
            return true;
        }
        try (connection) {
            LOG.log(System.Logger.Level.INFO, "Connection from " + connection.peer() + " to " + connection.local());
            acceptor.admit(connection);
            int pid;
            try {
                pid = spawner.spawn(connection.fd(), List.of());
            } catch (ErrnoException e) {
                acceptor.release(connection);
                SPAWN_FAILED.log(System.Logger.Level.ERROR, "Failed to execp " + spawner.program().describe() + ": "
                        + e.strerror());
                return !Errno.isResourceExhaustion(e.errno());
            }
            LOG.log(System.Logger.Level.INFO, "Spawned " + spawner.program().describe() + " as PID " + pid + ".");
            loop.watchExit(Pidfd.open(pid), status -> {
                acceptor.release(connection);
                LOG.log(System.Logger.Level.INFO,
                        "Child " + status.pid() + " died with code " + (status.signal() != 0 ? status.signal() : status.code()));
            });
        }
        return true;
    }

    /**
     * READY=1 to $NOTIFY_SOCKET once every socket is bound (systemd 258), so that socket-activate can run as a
     * Type=notify service and its caller knows when connecting works. Not being run by a manager, or a manager that
     * does not listen, changes nothing else.
     */
    private static void notifyReady() {
        try {
            Optional<SdNotify> notify = SdNotify.fromEnvironment(System.getenv());
            if (notify.isPresent()) {
                try (SdNotify n = notify.get()) {
                    n.send("READY=1");
                }
            }
        } catch (ErrnoException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> "Failed to send READY=1 to $NOTIFY_SOCKET: " + e.reason());
        }
    }

    /** TERM, PATH, USER, HOME (and COLORTERM, NO_COLOR) from ours, then the -E variables. */
    private List<String> childEnvironment() {
        Map<String, String> ours = System.getenv();
        List<String> env = new ArrayList<>();
        for (String name : KEPT_VARIABLES) {
            if (ours.containsKey(name)) {
                env.add(name + "=" + ours.get(name));
            }
        }
        for (String assignment : setenv) {
            if (assignment.contains("=")) {
                env.add(assignment);
            } else if (ours.containsKey(assignment)) {
                env.add(assignment + "=" + ours.get(assignment));
            }
        }
        return env;
    }

    /**
     * The names from every --fdname, as systemd joins them: one name is given to every fd; a
     * different count only warns. Invalid names warn and are dropped.
     */
    private List<String> fdNames(int fdCount) {
        List<String> names = new ArrayList<>();
        for (String option : fdnames) {
            for (String name : option.split(":", -1)) {
                if (name.length() > FDNAME_MAX || !name.chars().allMatch(ch -> ch >= 0x20 && ch < 0x7f)) {
                    LOG.log(System.Logger.Level.WARNING, "File descriptor name \"" + name + "\" is not valid, ignoring.");
                    continue;
                }
                names.add(name);
            }
        }
        if (names.size() == 1 && fdCount > 1) {
            return Collections.nCopies(fdCount, names.getFirst());
        }
        if (!names.isEmpty() && names.size() != fdCount) {
            LOG.log(System.Logger.Level.WARNING, "The number of fd names is different than number of fds: "
                    + names.size() + " vs " + fdCount);
        }
        return names;
    }

    static final String HELP = """
            socket-activate [OPTIONS...] COMMAND [ARGS...]

            Listen on sockets and launch child on connection.

            Options:
              -h --help                  Show this help and exit
                 --version               Print version string and exit
              -l --listen=ADDR           Listen for raw connections at ADDR
              -d --datagram              Listen on datagram instead of stream socket
                 --seqpacket             Listen on SOCK_SEQPACKET instead of stream socket
              -a --accept                Spawn separate child for each connection
              -E --setenv=NAME[=VALUE]   Pass an environment variable to children
                 --fdname=NAME[:NAME...] Specify names for file descriptors
                 --inetd                 Enable inetd file descriptor passing protocol
                 --now                   Start instantly instead of waiting for connection

            Note: file descriptors from sd_listen_fds() will be passed through.

            See docs/socket-activate.md for details.
            """;
}
