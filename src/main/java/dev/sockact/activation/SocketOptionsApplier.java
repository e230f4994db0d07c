package dev.sockact.activation;

import dev.sockact.posix.Errno;
import dev.sockact.posix.ErrnoException;
import dev.sockact.posix.Fd;
import dev.sockact.posix.SockAddr;
import dev.sockact.posix.Sockets;
import dev.sockact.unit.SocketOptions;
import dev.sockact.unit.Timestamping;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The [Socket] options of a unit applied to one fd, in systemd's order: those of socket_address_listen() before
 * bind(2) ({@link #beforeBind}), then socket_apply_socket_options() after ({@link #afterOpen}). Options systemd
 * only warns about are collected as {@link OptionFailure}s; the ones it treats as fatal throw.
 */
public final class SocketOptionsApplier {
    static final int IPPROTO_SCTP = 132;
    static final int IPPROTO_UDPLITE = 136;
    private static final int SCTP_NODELAY = 3;
    private static final int SOL_NETLINK = 270;
    private static final int NETLINK_PKTINFO = 3;

    private final SocketOptions options;
    private final int family;
    private final String port;
    private final List<OptionFailure> failures;

    /**
     * @param port     the port's address text, for messages
     * @param failures where refused options are added
     */
    public SocketOptionsApplier(SocketOptions options, int family, String port, List<OptionFailure> failures) {
        this.options = options;
        this.family = family;
        this.port = port;
        this.failures = failures;
    }

    /** The protocol of SocketProtocol= for socket(2): udplite, sctp, or 0. */
    public static int protocol(SocketOptions options) {
        if (options.socketProtocol() == null) {
            return 0;
        }
        return switch (options.socketProtocol()) {
            case "udplite" -> IPPROTO_UDPLITE;
            case "sctp" -> IPPROTO_SCTP;
            default -> 0;
        };
    }

    /** socket_address_listen(): IPV6_V6ONLY and SO_BINDTODEVICE are fatal, the others warn. */
    public void beforeBind(Fd fd) throws ErrnoException {
        boolean inet = family == SockAddr.AF_INET || family == SockAddr.AF_INET6;
        if (family == SockAddr.AF_INET6) {
            // ListenSockets chose dual-stack; BindIPv6Only=default leaves the kernel's default instead.
            int only = switch (options.bindIPv6Only()) {
                case DEFAULT -> kernelBindV6Only();
                case BOTH -> 0;
                case IPV6_ONLY -> 1;
            };
            Sockets.setIntOption(fd.fd(), Sockets.IPPROTO_IPV6, Sockets.IPV6_V6ONLY, only);
        }
        if (!inet) {
            return;
        }
        String device = options.bindToDevice();
        if (device != null && !device.isEmpty() && !device.equals("*")) {
            Sockets.setStringOption(fd.fd(), Sockets.SOL_SOCKET, Sockets.SO_BINDTODEVICE, device);
        }
        boolean v6 = family == SockAddr.AF_INET6;
        if (options.reusePort()) {
            set(fd, "SO_REUSEPORT", Sockets.SOL_SOCKET, Sockets.SO_REUSEPORT, 1);
        }
        if (options.freeBind()) {
            set(fd, v6 ? "IPV6_FREEBIND" : "IP_FREEBIND", v6 ? Sockets.IPPROTO_IPV6 : Sockets.IPPROTO_IP,
                    v6 ? Sockets.IPV6_FREEBIND : Sockets.IP_FREEBIND, 1);
        }
        if (options.transparent()) {
            set(fd, v6 ? "IPV6_TRANSPARENT" : "IP_TRANSPARENT", v6 ? Sockets.IPPROTO_IPV6 : Sockets.IPPROTO_IP,
                    v6 ? Sockets.IPV6_TRANSPARENT : Sockets.IP_TRANSPARENT, 1);
        }
    }

    private static int kernelBindV6Only() {
        try {
            return Files.readString(Path.of("/proc/sys/net/ipv6/bindv6only")).strip().equals("1") ? 1 : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    /** socket_apply_socket_options(): every failure is a warning. */
    public void afterOpen(Fd fd) {
        if (options.keepAlive()) {
            set(fd, "SO_KEEPALIVE", Sockets.SOL_SOCKET, Sockets.SO_KEEPALIVE, 1);
        }
        if (options.keepAliveTime().micros() > 0) {
            set(fd, "TCP_KEEPIDLE", Sockets.IPPROTO_TCP, Sockets.TCP_KEEPIDLE, seconds(options.keepAliveTime().toSeconds()));
        }
        if (options.keepAliveInterval().micros() > 0) {
            set(fd, "TCP_KEEPINTVL", Sockets.IPPROTO_TCP, Sockets.TCP_KEEPINTVL,
                    seconds(options.keepAliveInterval().toSeconds()));
        }
        if (options.keepAliveProbes() > 0) {
            set(fd, "TCP_KEEPCNT", Sockets.IPPROTO_TCP, Sockets.TCP_KEEPCNT, seconds(options.keepAliveProbes()));
        }
        if (options.deferAccept().micros() > 0) {
            set(fd, "TCP_DEFER_ACCEPT", Sockets.IPPROTO_TCP, Sockets.TCP_DEFER_ACCEPT,
                    seconds(options.deferAccept().toSeconds()));
        }
        if (options.noDelay()) {
            if (protocol(options) == IPPROTO_SCTP) {
                set(fd, "SCTP_NODELAY", IPPROTO_SCTP, SCTP_NODELAY, 1);
            } else {
                set(fd, "TCP_NODELAY", Sockets.IPPROTO_TCP, Sockets.TCP_NODELAY, 1);
            }
        }
        if (options.broadcast()) {
            set(fd, "SO_BROADCAST", Sockets.SOL_SOCKET, Sockets.SO_BROADCAST, 1);
        }
        if (options.passCredentials()) {
            set(fd, "SO_PASSCRED", Sockets.SOL_SOCKET, Sockets.SO_PASSCRED, 1);
        }
        if (options.passSecurity()) {
            set(fd, "SO_PASSSEC", Sockets.SOL_SOCKET, Sockets.SO_PASSSEC, 1);
        }
        // systemd 258. A kernel without them (before 6.5 and 6.16) answers ENOPROTOOPT, which is logged as the
        // refused option: the socket still starts, as systemd's does, and the log says what it does not do.
        if (options.passPidfd()) {
            set(fd, "SO_PASSPIDFD", Sockets.SOL_SOCKET, Sockets.SO_PASSPIDFD, 1);
        }
        if (!options.acceptFileDescriptors()) {
            set(fd, "SO_PASSRIGHTS", Sockets.SOL_SOCKET, Sockets.SO_PASSRIGHTS, 0);
        }
        if (options.passPacketInfo()) {
            switch (family) {
                case SockAddr.AF_INET -> set(fd, "IP_PKTINFO", Sockets.IPPROTO_IP, Sockets.IP_PKTINFO, 1);
                case SockAddr.AF_INET6 -> set(fd, "IPV6_RECVPKTINFO", Sockets.IPPROTO_IPV6, Sockets.IPV6_RECVPKTINFO, 1);
                case SockAddr.AF_NETLINK -> set(fd, "NETLINK_PKTINFO", SOL_NETLINK, NETLINK_PKTINFO, 1);
                default -> failures.add(new OptionFailure("IP_PKTINFO", port,
                        new ErrnoException("setsockopt", Errno.EAFNOSUPPORT.number(), "IP_PKTINFO")));
            }
        }
        if (options.timestamping() != Timestamping.OFF) {
            boolean ns = options.timestamping() == Timestamping.NANOSECONDS;
            set(fd, ns ? "SO_TIMESTAMPNS" : "SO_TIMESTAMP", Sockets.SOL_SOCKET,
                    ns ? Sockets.SO_TIMESTAMPNS : Sockets.SO_TIMESTAMP, 1);
        }
        if (options.priority() >= 0) {
            set(fd, "SO_PRIORITY", Sockets.SOL_SOCKET, Sockets.SO_PRIORITY, options.priority());
        }
        if (options.receiveBuffer() > 0) {
            setBuffer(fd, "SO_RCVBUF", Sockets.SO_RCVBUF, Sockets.SO_RCVBUFFORCE, options.receiveBuffer());
        }
        if (options.sendBuffer() > 0) {
            setBuffer(fd, "SO_SNDBUF", Sockets.SO_SNDBUF, Sockets.SO_SNDBUFFORCE, options.sendBuffer());
        }
        if (options.mark() >= 0) {
            set(fd, "SO_MARK", Sockets.SOL_SOCKET, Sockets.SO_MARK, options.mark());
        }
        if (options.ipTos() >= 0) {
            set(fd, "IP_TOS", Sockets.IPPROTO_IP, Sockets.IP_TOS, options.ipTos());
        }
        if (options.ipTtl() >= 0) {
            if (family == SockAddr.AF_INET6) {
                set(fd, "IPV6_UNICAST_HOPS", Sockets.IPPROTO_IPV6, Sockets.IPV6_UNICAST_HOPS, options.ipTtl());
            } else {
                set(fd, "IP_TTL", Sockets.IPPROTO_IP, Sockets.IP_TTL, options.ipTtl());
            }
        }
        if (options.tcpCongestion() != null && !options.tcpCongestion().isEmpty()) {
            try {
                Sockets.setStringOption(fd.fd(), Sockets.IPPROTO_TCP, Sockets.TCP_CONGESTION, options.tcpCongestion());
            } catch (ErrnoException e) {
                failures.add(new OptionFailure("TCP_CONGESTION", port, e));
            }
        }
    }

    private static int seconds(long value) {
        return (int) Math.min(Integer.MAX_VALUE, value);
    }

    private void set(Fd fd, String name, int level, int option, int value) {
        try {
            Sockets.setIntOption(fd.fd(), level, option, value);
        } catch (ErrnoException e) {
            failures.add(new OptionFailure(name, port, e));
        }
    }

    /** fd_set_rcvbuf()/fd_set_sndbuf(): the plain option, then the *FORCE one when the kernel capped it. */
    private void setBuffer(Fd fd, String name, int option, int forceOption, long requested) {
        int size = (int) Math.min(Integer.MAX_VALUE / 2, requested);
        try {
            Sockets.setIntOption(fd.fd(), Sockets.SOL_SOCKET, option, size);
            if (Sockets.getIntOption(fd.fd(), Sockets.SOL_SOCKET, option) >= 2L * size) {
                return;
            }
            Sockets.setIntOption(fd.fd(), Sockets.SOL_SOCKET, forceOption, size);
        } catch (ErrnoException e) {
            failures.add(new OptionFailure(name, port, e));
        }
    }
}
