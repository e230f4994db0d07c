package dev.sockact.proxy;

/**
 * The limits and times of a {@link ProxyEngine}, as socket-proxyd's command line (or a hosted unit's) says them.
 *
 * @param connectionsMax      connections open at once (resolving and connecting ones count); more are refused
 * @param idleNanos           tell the observer after this long without a connection (socket-proxyd's
 *                            --exit-idle-time=), or {@link Long#MAX_VALUE}
 * @param connectTimeoutNanos give up connecting to the target after this long, or {@link Long#MAX_VALUE}
 * @param threads             event loops the connections are spread over
 * @param proxyProtocol       the PROXY protocol header written to the target ahead of the client's bytes
 *                            (--proxy-protocol=), or null for none; on datagram sockets only v2, ahead of each
 *                            datagram (v1 cannot describe them, and hosts refuse it there)
 * @param connectionIdleNanos close a relaying connection after this long without traffic either way
 *                            (--connection-idle-time=), or {@link Long#MAX_VALUE}
 * @param datagramIdleNanos   a datagram session ends after this long without a datagram either way
 *                            (--connection-idle-time=, {@link #DEFAULT_DATAGRAM_IDLE_NANOS} without it)
 * @param connectRetryNanos   while the target refuses or is unreachable, try again for this long (--connect-retry=),
 *                            or 0: give up at the first failure, as systemd-socket-proxyd does
 * @param busyPollNanos       a loop that reads datagram sockets polls for this long at most before it sleeps
 *                            (--busy-poll=, {@link #DEFAULT_BUSY_POLL_NANOS} without it; see
 *                            {@link dev.sockact.event.BusyPoll}), or 0: it sleeps at once
 */
public record ProxyConfig(int connectionsMax, long idleNanos, long connectTimeoutNanos, int threads,
                          ProxyHeader.Version proxyProtocol, long connectionIdleNanos, long datagramIdleNanos,
                          long connectRetryNanos, long busyPollNanos) {
    public static final int DEFAULT_CONNECTIONS_MAX = 256;
    /**
     * 60 s: between what Linux conntrack keeps a UDP flow, 30 s unanswered and 120 s once answered both ways, so a
     * session outlives the NAT mapping of a one-shot query no more than it must, and a chatty one (a game, a VPN,
     * keep-alives every 25 s as WireGuard sends them) is never cut.
     */
    public static final long DEFAULT_DATAGRAM_IDLE_NANOS = 60_000_000_000L;
    /**
     * 50 µs: longer than a loop waits for the reply of a backend on the same machine (a whole round trip through
     * the proxy, client to client, is 37-43 µs at p50 on the 2-CPU bench VM, bench/UDP-RESULTS.md), so one client's
     * ping-pong keeps the loop on its CPU; and short against the gaps of a remote backend or a pausing client, which
     * halve the window at each.
     */
    public static final long DEFAULT_BUSY_POLL_NANOS = 50_000L;
    /** --busy-poll= at most: polling longer than a millisecond costs more CPU than any wake-up it saves. */
    public static final long BUSY_POLL_MAX_NANOS = 1_000_000L;

    /**
     * Without a PROXY header, a connection idle time or connect retries (systemd-socket-proxyd's behaviour), and
     * with the default idle time for datagram sessions.
     */
    public ProxyConfig(int connectionsMax, long idleNanos, long connectTimeoutNanos, int threads) {
        this(connectionsMax, idleNanos, connectTimeoutNanos, threads, null, Long.MAX_VALUE, DEFAULT_DATAGRAM_IDLE_NANOS,
                0, DEFAULT_BUSY_POLL_NANOS);
    }

    public ProxyConfig {
        if (connectionsMax < 1) {
            throw new IllegalArgumentException("connectionsMax must be at least 1");
        }
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1");
        }
        if (connectionIdleNanos <= 0) {
            throw new IllegalArgumentException("connectionIdleNanos must be positive");
        }
        if (datagramIdleNanos <= 0) {
            throw new IllegalArgumentException("datagramIdleNanos must be positive");
        }
        if (connectRetryNanos < 0) {
            throw new IllegalArgumentException("connectRetryNanos must not be negative");
        }
        if (busyPollNanos < 0 || busyPollNanos > BUSY_POLL_MAX_NANOS) {
            throw new IllegalArgumentException("busyPollNanos must be between 0 and " + BUSY_POLL_MAX_NANOS);
        }
    }
}
