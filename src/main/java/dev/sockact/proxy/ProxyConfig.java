package dev.sockact.proxy;

/**
 * What the proxy does, as the command line says it.
 *
 * @param target              where every connection goes
 * @param connectionsMax      connections open at once (resolving and connecting ones count); more are refused
 * @param exitIdleNanos       exit after this long without a connection, or {@link Long#MAX_VALUE}
 * @param connectTimeoutNanos give up connecting to the target after this long, or {@link Long#MAX_VALUE}
 * @param threads             event loops the connections are spread over
 */
public record ProxyConfig(Target target, int connectionsMax, long exitIdleNanos, long connectTimeoutNanos, int threads) {
    public static final int DEFAULT_CONNECTIONS_MAX = 256;

    public ProxyConfig {
        if (connectionsMax < 1) {
            throw new IllegalArgumentException("connectionsMax must be at least 1");
        }
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1");
        }
    }
}
