package dev.sockact.proxy;

/**
 * The limits and times of a {@link ProxyEngine}, as socket-proxyd's command line (or a hosted unit's) says them.
 *
 * @param connectionsMax      connections open at once (resolving and connecting ones count); more are refused
 * @param idleNanos           tell the observer after this long without a connection (socket-proxyd's
 *                            --exit-idle-time=), or {@link Long#MAX_VALUE}
 * @param connectTimeoutNanos give up connecting to the target after this long, or {@link Long#MAX_VALUE}
 * @param threads             event loops the connections are spread over
 * @param datagramIdleNanos   a datagram session ends after this long without a datagram either way
 *                            (--connection-idle-time=, {@link #DEFAULT_DATAGRAM_IDLE_NANOS} without it)
 * @param proxyProtocol       the PROXY protocol header to send, or null for none; on datagram sockets v2 (ahead
 *                            of each datagram: v1 cannot describe them, and hosts refuse it there)
 */
public record ProxyConfig(int connectionsMax, long idleNanos, long connectTimeoutNanos, int threads,
                          long datagramIdleNanos, ProxyHeader.Version proxyProtocol) {
    public static final int DEFAULT_CONNECTIONS_MAX = 256;
    /**
     * 60 s: between what Linux conntrack keeps a UDP flow, 30 s unanswered and 120 s once answered both ways, so a
     * session outlives the NAT mapping of a one-shot query no more than it must, and a chatty one (a game, a VPN,
     * keep-alives every 25 s as WireGuard sends them) is never cut.
     */
    public static final long DEFAULT_DATAGRAM_IDLE_NANOS = 60_000_000_000L;

    /** With the default idle time for datagram sessions. */
    public ProxyConfig(int connectionsMax, long idleNanos, long connectTimeoutNanos, int threads) {
        this(connectionsMax, idleNanos, connectTimeoutNanos, threads, DEFAULT_DATAGRAM_IDLE_NANOS, null);
    }

    public ProxyConfig {
        if (connectionsMax < 1) {
            throw new IllegalArgumentException("connectionsMax must be at least 1");
        }
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1");
        }
        if (datagramIdleNanos <= 0) {
            throw new IllegalArgumentException("datagramIdleNanos must be positive");
        }
    }
}
