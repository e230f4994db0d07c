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
 */
public record ProxyArguments(ProxyConfig config, Target target, List<SockAddr> listen) {
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
            new Getopt.Spec((char) 0, "connect-retry", true)));

    /** A command line the proxy cannot run, with systemd-socket-proxyd's message for it. */
    public static final class InvalidException extends Exception {
        private static final long serialVersionUID = 1L;

        public InvalidException(String message) {
            super(message);
        }
    }

    public ProxyArguments {
        listen = List.copyOf(listen);
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
        return new ProxyArguments(new ProxyConfig(max, idle, timeout, loops, retry), target, listen);
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
