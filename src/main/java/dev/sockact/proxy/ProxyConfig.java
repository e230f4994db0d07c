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
 *                            (--proxy-protocol=), or null for none
 * @param connectionIdleNanos close a relaying connection after this long without traffic either way
 *                            (--connection-idle-time=), or {@link Long#MAX_VALUE}
 */
public record ProxyConfig(int connectionsMax, long idleNanos, long connectTimeoutNanos, int threads,
                          ProxyHeader.Version proxyProtocol, long connectionIdleNanos) {
    public static final int DEFAULT_CONNECTIONS_MAX = 256;

    /** Without a PROXY header or a connection idle time: systemd-socket-proxyd's behaviour. */
    public ProxyConfig(int connectionsMax, long idleNanos, long connectTimeoutNanos, int threads) {
        this(connectionsMax, idleNanos, connectTimeoutNanos, threads, null, Long.MAX_VALUE);
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
    }
}
