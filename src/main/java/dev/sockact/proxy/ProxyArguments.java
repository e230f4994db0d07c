package dev.sockact.proxy;

import dev.sockact.activation.InvalidAddressException;
import dev.sockact.activation.ListenAddress;
import dev.sockact.posix.SockAddr;
import dev.sockact.text.Getopt;
import dev.sockact.unit.TimeSpan;
import dev.sockact.posix.Fd;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A socket-proxyd command line, read once into types: what the {@code socket-proxyd} process runs, and what
 * sockactd runs in-process for a service whose ExecStart= is such a command line. Both read it here, so an
 * option means the same in either host. The messages are systemd-socket-proxyd's.
 *
 * @param config       the engine's limits and times
 * @param target       where every connection goes (systemd's form: one unnamed TARGET), or null when the targets
 *                     are named
 * @param namedTargets NAME=TARGET operands: the sockets named NAME (FileDescriptorName=, LISTEN_FDNAMES) go to
 *                     TARGET; empty in systemd's form
 * @param listen       addresses to listen on besides the inherited sockets (--listen=)
 * @param listenDatagram datagram sockets to open besides the inherited ones (--listen-datagram=)
 * @param metrics      where to serve Prometheus metrics (--metrics=), or empty
 */
public record ProxyArguments(ProxyConfig config, Target target, Map<String, Target> namedTargets, List<SockAddr> listen,
                             List<SockAddr> listenDatagram, Optional<SockAddr> metrics) {
    /** systemd's limit on a FileDescriptorName= (fdname_is_valid). */
    private static final int FDNAME_MAX = 255;

    /** Event loops by default at most: one per CPU up to this (see {@link #defaultLoops}). */
    private static final int MAX_DEFAULT_LOOPS = 8;

    /** socket-proxyd's options, systemd's and ours. */
    public static final Getopt OPTIONS = new Getopt(List.of(
            new Getopt.Spec('h', "help", false),
            new Getopt.Spec((char) 0, "version", false),
            new Getopt.Spec('c', "connections-max", true),
            new Getopt.Spec((char) 0, "exit-idle-time", true),
            new Getopt.Spec((char) 0, "listen", true),
            new Getopt.Spec((char) 0, "connect-timeout", true),
            new Getopt.Spec((char) 0, "threads", true),
            new Getopt.Spec((char) 0, "listen-datagram", true),
            new Getopt.Spec((char) 0, "proxy-protocol", true),
            new Getopt.Spec((char) 0, "connection-idle-time", true),
            new Getopt.Spec((char) 0, "metrics", true),
            new Getopt.Spec((char) 0, "connect-retry", true),
            new Getopt.Spec((char) 0, "busy-poll", true)));

    /** PROXY v1 is a line of text for TCP: it has no word for a datagram (proxy-protocol.txt, section 2.1). */
    public static final String V1_ON_DATAGRAMS = "--proxy-protocol=v1 cannot describe datagrams (the v1 line "
            + "names TCP only); use --proxy-protocol=v2, which each datagram then carries.";

    /**
     * Refuses what the sockets the proxy got cannot honour: --proxy-protocol=v1 with a datagram socket. Called by
     * the host once it knows its sockets (passed ones included).
     */
    public void checkSockets(boolean anyDatagram) throws InvalidException {
        if (config.proxyProtocol() == ProxyHeader.Version.V1 && anyDatagram) {
            throw new InvalidException(V1_ON_DATAGRAMS);
        }
    }

    /** A command line the proxy cannot run, with systemd-socket-proxyd's message for it. */
    public static final class InvalidException extends Exception {
        private static final long serialVersionUID = 1L;

        public InvalidException(String message) {
            super(message);
        }
    }

    public ProxyArguments {
        listen = List.copyOf(listen);
        listenDatagram = List.copyOf(listenDatagram);
        namedTargets = Collections.unmodifiableMap(new LinkedHashMap<>(namedTargets));
    }

    /** Every target: the one of systemd's form, or each NAME=TARGET's. */
    public List<Target> targets() {
        return target != null ? List.of(target) : List.copyOf(namedTargets.values());
    }

    /** Where the connections go, for a person: "TARGET", or "NAME=TARGET, NAME=TARGET". */
    public String describeTargets() {
        if (target != null) {
            return target.toString();
        }
        List<String> parts = new ArrayList<>();
        namedTargets.forEach((name, t) -> parts.add(name + "=" + t));
        return String.join(", ", parts);
    }

    /** Reads what getopt parsed (--help and --version are the caller's). */
    public static ProxyArguments from(Getopt.Result parsed) throws InvalidException {
        int max = ProxyConfig.DEFAULT_CONNECTIONS_MAX;
        String connectionsMax = parsed.last("connections-max");
        if (connectionsMax != null) {
            max = unsigned(connectionsMax, "--connections-max=");
            if (max == 0) {
                throw new InvalidException("Connection limit is too low.");
            }
        }
        long idle = span(parsed.last("exit-idle-time"), "--exit-idle-time=");
        long timeout = span(parsed.last("connect-timeout"), "--connect-timeout=");
        long retry = parsed.last("connect-retry") == null ? 0
                : span(parsed.last("connect-retry"), "--connect-retry=");
        if (retry == Long.MAX_VALUE) {
            throw new InvalidException("Failed to parse --connect-retry= argument: " + parsed.last("connect-retry")
                    + " (a finite time span)");
        }
        String threads = parsed.last("threads");
        int loops = threads == null ? defaultLoops() : unsigned(threads, "--threads=");
        if (loops < 1 || loops > 64) {
            throw new InvalidException("Failed to parse --threads= argument: " + threads + " (1 to 64)");
        }
        ProxyHeader.Version proxyProtocol = proxyProtocol(parsed.last("proxy-protocol"));
        long connectionIdle = span(parsed.last("connection-idle-time"), "--connection-idle-time=");
        if (connectionIdle == 0) {
            throw new InvalidException("Failed to parse --connection-idle-time= argument: "
                    + parsed.last("connection-idle-time") + " (must be more than 0; infinity for none)");
        }
        long busyPoll = busyPoll(parsed.last("busy-poll"));
        List<String> operands = parsed.operands();
        if (operands.isEmpty()) {
            throw new InvalidException("Not enough parameters.");
        }
        Target target = null;
        Map<String, Target> named = new LinkedHashMap<>();
        if (operands.size() == 1 && socketName(operands.getFirst()) == null) {
            target = target(operands.getFirst());
        } else if (operands.stream().allMatch(o -> socketName(o) == null)) {
            throw new InvalidException("Too many parameters.");   // systemd's words for several plain targets
        } else {
            for (String operand : operands) {
                String name = socketName(operand);
                if (name == null) {
                    throw new InvalidException("With several targets each must be NAME=TARGET, NAME being the socket's "
                            + "FileDescriptorName=: " + operand);
                }
                if (named.put(name, target(operand.substring(name.length() + 1))) != null) {
                    throw new InvalidException("Socket name " + name + " is given a target twice.");
                }
            }
        }
        List<SockAddr> listen = new ArrayList<>();
        for (String text : parsed.all("listen")) {
            try {
                listen.add(ListenAddress.parse(text));
            } catch (InvalidAddressException e) {
                throw new InvalidException("Failed to parse --listen= argument: " + text + ": " + e.getMessage());
            }
        }
        List<SockAddr> listenDatagram = new ArrayList<>();
        for (String text : parsed.all("listen-datagram")) {
            try {
                listenDatagram.add(ListenAddress.parse(text));
            } catch (InvalidAddressException e) {
                throw new InvalidException("Failed to parse --listen-datagram= argument: " + text + ": "
                        + e.getMessage());
            }
        }
        if (proxyProtocol == ProxyHeader.Version.V1 && !listenDatagram.isEmpty()) {
            throw new InvalidException(V1_ON_DATAGRAMS);
        }
        // Without the option, a datagram session still ends: nothing else tells it that its client has gone.
        long datagramIdle = parsed.last("connection-idle-time") == null
                ? ProxyConfig.DEFAULT_DATAGRAM_IDLE_NANOS : connectionIdle;
        if (!named.isEmpty() && !(listen.isEmpty() && listenDatagram.isEmpty())) {
            throw new InvalidException("--listen= and --listen-datagram= sockets have no name, so they cannot be matched to NAME=TARGET; "
                    + "give one unnamed TARGET, or pass named sockets (FileDescriptorName=).");
        }
        Optional<SockAddr> metrics = Optional.empty();
        String metricsText = parsed.last("metrics");
        if (metricsText != null) {
            try {
                metrics = Optional.of(ListenAddress.parse(metricsText));
            } catch (InvalidAddressException e) {
                throw new InvalidException("Failed to parse --metrics= argument: " + metricsText + ": "
                        + e.getMessage());
            }
        }
        return new ProxyArguments(new ProxyConfig(max, idle, timeout, loops, proxyProtocol, connectionIdle,
                datagramIdle, retry, busyPoll), target, named, listen, listenDatagram, metrics);
    }

    /** --busy-poll=: a time span from 0 to {@link ProxyConfig#BUSY_POLL_MAX_NANOS}; the default without it. */
    private static long busyPoll(String text) throws InvalidException {
        if (text == null) {
            return ProxyConfig.DEFAULT_BUSY_POLL_NANOS;
        }
        long nanos = span(text, "--busy-poll=");
        if (nanos > ProxyConfig.BUSY_POLL_MAX_NANOS) {
            throw new InvalidException("Failed to parse --busy-poll= argument: " + text + " (at most 1ms; 0 for none)");
        }
        return nanos;
    }

    /**
     * A resolver per target, by socket name ("" for systemd's one unnamed target). Made before the sockets are read:
     * a literal target is resolved then (see {@link TargetResolver}).
     */
    public Map<String, TargetResolver> resolvers() {
        Map<String, TargetResolver> resolvers = new LinkedHashMap<>();
        if (namedTargets.isEmpty()) {
            resolvers.put("", new TargetResolver(target));
        }
        namedTargets.forEach((name, t) -> resolvers.put(name, new TargetResolver(t)));
        return resolvers;
    }

    /**
     * The listeners for the sockets in hand: each socket with its target, by name when the targets are named.
     * {@code names} are the sockets' FileDescriptorName= (LISTEN_FDNAMES), in the order of {@code sockets}. A name no
     * socket has and a socket no name matches are refused, both named in the message: a socket without a target
     * would be accepted on and dropped, a target without its socket would never serve.
     */
    public List<ProxyListener> listeners(Map<String, TargetResolver> resolvers, List<Fd> sockets, List<String> names)
            throws InvalidException {
        if (namedTargets.isEmpty()) {
            TargetResolver resolver = resolvers.get("");
            return sockets.stream().map(fd -> new ProxyListener(fd, resolver)).toList();
        }
        List<ProxyListener> listeners = new ArrayList<>();
        List<String> unmatched = new ArrayList<>();
        for (int i = 0; i < sockets.size(); i++) {
            String name = names.get(i);
            TargetResolver resolver = resolvers.get(name);
            if (resolver == null) {
                unmatched.add(name + " (fd " + sockets.get(i).fd() + ")");
                continue;
            }
            listeners.add(new ProxyListener(sockets.get(i), resolver));
        }
        List<String> unknown = namedTargets.keySet().stream().filter(n -> !names.contains(n)).toList();
        if (!unknown.isEmpty()) {
            throw new InvalidException("No socket named " + String.join(", ", unknown) + " was passed in (the sockets are named "
                    + String.join(", ", new LinkedHashSet<>(names)) + ").");
        }
        if (!unmatched.isEmpty()) {
            throw new InvalidException("No target for socket " + String.join(", ", unmatched) + ": give NAME=TARGET for it.");
        }
        return listeners;
    }

    /**
     * NAME of a NAME=TARGET operand, or null for a plain TARGET. A target never needs '=' before its first one (a
     * host:port, [IPv6]:port or vsock: target has none), except a UNIX path, which starts with '/' or '@': so NAME is
     * what comes before the first '=' of an operand that does not start with either. NAME follows systemd's rules for
     * FileDescriptorName= (printable ASCII, no ':', at most 255 characters); a name with '=' cannot be given.
     */
    static String socketName(String operand) {
        int equals = operand.indexOf('=');
        if (equals <= 0 || operand.startsWith("/") || operand.startsWith("@")) {
            return null;
        }
        String name = operand.substring(0, equals);
        if (name.length() > FDNAME_MAX || !name.chars().allMatch(c -> c > ' ' && c < 0x7f && c != ':')) {
            return null;
        }
        return name;
    }

    private static ProxyHeader.Version proxyProtocol(String value) throws InvalidException {
        if (value == null) {
            return null;
        }
        ProxyHeader.Version version = ProxyHeader.Version.parse(value);
        if (version == null) {
            throw new InvalidException("Failed to parse --proxy-protocol= argument: " + value + " (v1 or v2)");
        }
        // v1 describes streams only: where datagram sockets are read, --proxy-protocol=v1 with one of them is refused.
        return version;
    }

    private static Target target(String text) throws InvalidException {
        try {
            Target target = Target.parse(text);
            if (target instanceof Target.HostPort hp) {
                // Fail now on a port that can never work, not on every connection.
                hp.port();
            }
            return target;
        } catch (IllegalArgumentException e) {
            throw new InvalidException(e.getMessage());
        }
    }

    private static int unsigned(String value, String option) throws InvalidException {
        if (value.isEmpty() || !value.chars().allMatch(Character::isDigit)) {
            throw new InvalidException("Failed to parse " + option + " argument: " + value);
        }
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new InvalidException("Failed to parse " + option + " argument: " + value);
        }
    }

    private static long span(String value, String option) throws InvalidException {
        if (value == null) {
            return Long.MAX_VALUE;
        }
        try {
            return TimeSpan.parseSec(value).toNanos();
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new InvalidException("Failed to parse " + option + " argument: " + value);
        }
    }

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
