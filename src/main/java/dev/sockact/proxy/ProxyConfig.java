package dev.sockact.proxy;

/**
 * The limits and times of a {@link ProxyEngine}, as socket-proxyd's command line (or a hosted unit's) says them.
 *
 * @param connectionsMax      connections open at once (resolving and connecting ones count); more are refused
 * @param idleNanos           tell the observer after this long without a connection (socket-proxyd's
 *                            --exit-idle-time=), or {@link Long#MAX_VALUE}
 * @param connectTimeoutNanos give up connecting to the target after this long, or {@link Long#MAX_VALUE}
 * @param threads             event loops the connections are spread over
 * @param connectRetryNanos   while the target refuses or is unreachable, try again for this long (--connect-retry=),
 *                            or 0: give up at the first failure, as systemd-socket-proxyd does
 */
public record ProxyConfig(int connectionsMax, long idleNanos, long connectTimeoutNanos, int threads,
                          long connectRetryNanos) {
    public static final int DEFAULT_CONNECTIONS_MAX = 256;

    /** Without --connect-retry=: systemd's behaviour. */
    public ProxyConfig(int connectionsMax, long idleNanos, long connectTimeoutNanos, int threads) {
        this(connectionsMax, idleNanos, connectTimeoutNanos, threads, 0);
    }

    public ProxyConfig {
        if (connectionsMax < 1) {
            throw new IllegalArgumentException("connectionsMax must be at least 1");
        }
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1");
        }
        if (connectRetryNanos < 0) {
            throw new IllegalArgumentException("connectRetryNanos must not be negative");
        }
    }
}
