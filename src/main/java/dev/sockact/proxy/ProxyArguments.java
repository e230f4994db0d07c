package dev.sockact.proxy;

import dev.sockact.activation.InvalidAddressException;
import dev.sockact.activation.ListenAddress;
import dev.sockact.posix.SockAddr;
import dev.sockact.text.Getopt;
import dev.sockact.unit.TimeSpan;
import java.util.ArrayList;
import java.util.List;

/**
 * A socket-proxyd command line, read once into types: what the {@code socket-proxyd} process runs, and what
 * sockactd runs in-process for a service whose ExecStart= is such a command line. Both read it here, so an
 * option means the same in either host. The messages are systemd-socket-proxyd's.
 *
 * @param config the engine's limits and times
 * @param target where every connection goes
 * @param listen addresses to listen on besides the inherited sockets (--listen=)
 * @param listenDatagram datagram sockets to open besides the inherited ones (--listen-datagram=)
 */
public record ProxyArguments(ProxyConfig config, Target target, List<SockAddr> listen, List<SockAddr> listenDatagram) {
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
            new Getopt.Spec((char) 0, "connection-idle-time", true),
            new Getopt.Spec((char) 0, "proxy-protocol", true)));

    /** PROXY v1 is a line of text for TCP: it has no word for a datagram (proxy-protocol.txt, section 2.1). */
    public static final String V1_ON_DATAGRAMS = "--proxy-protocol=v1 cannot describe datagrams (the v1 line "
            + "names TCP only); use --proxy-protocol=v2, which each datagram then carries.";

    /** Until the stream path sends the header (issue 17, TCP part), a header it would not send is refused. */
    public static final String NOT_ON_STREAMS = "--proxy-protocol= is sent on datagram sockets only in this version; "
            + "stream sockets do not carry it yet.";

    /**
     * Refuses what the sockets the proxy got cannot honour: --proxy-protocol=v1 with a datagram socket, and (until
     * the stream path sends it) --proxy-protocol= with a stream socket. Called by the host once it knows its sockets
     * (passed ones included).
     */
    public void checkSockets(boolean anyStream, boolean anyDatagram) throws InvalidException {
        if (config.proxyProtocol() == ProxyHeader.Version.V1 && anyDatagram) {
            throw new InvalidException(V1_ON_DATAGRAMS);
        }
        if (config.proxyProtocol() != null && anyStream) {
            throw new InvalidException(NOT_ON_STREAMS);
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
        String threads = parsed.last("threads");
        int loops = threads == null ? defaultLoops() : unsigned(threads, "--threads=");
        if (loops < 1 || loops > 64) {
            throw new InvalidException("Failed to parse --threads= argument: " + threads + " (1 to 64)");
        }
        List<String> operands = parsed.operands();
        if (operands.isEmpty()) {
            throw new InvalidException("Not enough parameters.");
        }
        if (operands.size() > 1) {
            throw new InvalidException("Too many parameters.");
        }
        Target target = target(operands.getFirst());
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
        long connectionIdle = span(parsed.last("connection-idle-time"), "--connection-idle-time=");
        if (connectionIdle == 0) {
            throw new InvalidException("Failed to parse --connection-idle-time= argument: "
                    + parsed.last("connection-idle-time") + " (must be more than 0)");
        }
        // Without the option, a datagram session still ends: nothing else tells it that its client has gone.
        long datagramIdle = parsed.last("connection-idle-time") == null
                ? ProxyConfig.DEFAULT_DATAGRAM_IDLE_NANOS : connectionIdle;
        String protocolText = parsed.last("proxy-protocol");
        ProxyHeader.Version protocol = null;
        if (protocolText != null) {
            protocol = ProxyHeader.Version.parse(protocolText);
            if (protocol == null) {
                throw new InvalidException("Failed to parse --proxy-protocol= argument: " + protocolText
                        + " (v1 or v2)");
            }
            if (protocol == ProxyHeader.Version.V1 && !listenDatagram.isEmpty()) {
                throw new InvalidException(V1_ON_DATAGRAMS);
            }
        }
        return new ProxyArguments(new ProxyConfig(max, idle, timeout, loops, datagramIdle, protocol), target, listen,
                listenDatagram);
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
