package dev.sockact.unit;

/**
 * The [Socket] settings that become socket options or open flags on each listening fd (and, for Accept=yes, on
 * each accepted fd). Integers that systemd keeps as "-1 = not set" are kept the same way, sizes use 0 for not set.
 */
public record SocketOptions(BindIPv6Only bindIPv6Only, long backlog, String bindToDevice, String socketProtocol,
                            boolean keepAlive, TimeSpan keepAliveTime, TimeSpan keepAliveInterval,
                            long keepAliveProbes, TimeSpan deferAccept, boolean noDelay, int priority,
                            long receiveBuffer, long sendBuffer, int ipTos, int ipTtl, int mark, long pipeSize,
                            boolean freeBind, boolean transparent, boolean broadcast, boolean passCredentials,
                            boolean passSecurity, boolean passPacketInfo, boolean passPidfd,
                            boolean acceptFileDescriptors, Timestamping timestamping, String tcpCongestion,
                            boolean reusePort, long messageQueueMaxMessages, long messageQueueMessageSize) {

    /** SOMAXCONN_DELUXE: systemd's default Backlog=, capped by the kernel at net.core.somaxconn. */
    public static final long DEFAULT_BACKLOG = Integer.MAX_VALUE;
}
