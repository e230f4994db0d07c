package dev.sockact.posix;

import static dev.sockact.posix.Layouts.INT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

/** socket, bind, listen, accept4, connect, shutdown, socket options and addresses. */
public final class Sockets {
    public static final int SOCK_STREAM = 1;
    public static final int SOCK_DGRAM = 2;
    public static final int SOCK_RAW = 3;
    public static final int SOCK_SEQPACKET = 5;
    public static final int SOCK_NONBLOCK = Io.O_NONBLOCK;
    public static final int SOCK_CLOEXEC = Io.O_CLOEXEC;

    public static final int SOL_SOCKET = 1;
    public static final int SO_REUSEADDR = 2;
    public static final int SO_TYPE = 3;
    public static final int SO_ERROR = 4;
    public static final int SO_BROADCAST = 6;
    public static final int SO_SNDBUF = 7;
    public static final int SO_RCVBUF = 8;
    public static final int SO_KEEPALIVE = 9;
    public static final int SO_PRIORITY = 12;
    public static final int SO_PASSCRED = 16;
    public static final int SO_PEERCRED = 17;
    public static final int SO_BINDTODEVICE = 25;
    public static final int SO_TIMESTAMP = 29;
    public static final int SO_ACCEPTCONN = 30;
    public static final int SO_PASSSEC = 34;
    /** Linux 6.5: an SCM_PIDFD with each message (PassPIDFD=). */
    public static final int SO_PASSPIDFD = 76;
    /** Linux 6.16: 0 refuses SCM_RIGHTS on the socket (AcceptFileDescriptors=no). */
    public static final int SO_PASSRIGHTS = 83;
    public static final int SO_TIMESTAMPNS = 35;
    public static final int SO_MARK = 36;
    public static final int SO_REUSEPORT = 15;
    public static final int SO_RCVBUFFORCE = 33;
    public static final int SO_SNDBUFFORCE = 32;
    public static final int SO_DOMAIN = 39;
    public static final int SO_PROTOCOL = 38;

    public static final int IPPROTO_IP = 0;
    public static final int IPPROTO_TCP = 6;
    public static final int IPPROTO_IPV6 = 41;
    public static final int IP_TOS = 1;
    public static final int IP_TTL = 2;
    public static final int IP_PKTINFO = 8;
    public static final int IP_TRANSPARENT = 19;
    public static final int IP_FREEBIND = 15;
    public static final int IPV6_UNICAST_HOPS = 16;
    public static final int IPV6_V6ONLY = 26;
    public static final int IPV6_RECVPKTINFO = 49;
    /** The control message IPV6_RECVPKTINFO delivers, and sendmsg(2) takes to choose the source. */
    public static final int IPV6_PKTINFO = 50;
    public static final int IPV6_TRANSPARENT = 75;
    public static final int IPV6_FREEBIND = 78;
    public static final int TCP_NODELAY = 1;
    public static final int TCP_KEEPIDLE = 4;
    public static final int TCP_KEEPINTVL = 5;
    public static final int TCP_KEEPCNT = 6;
    public static final int TCP_DEFER_ACCEPT = 9;
    public static final int TCP_CONGESTION = 13;

    public static final int SHUT_RD = 0;
    public static final int SHUT_WR = 1;
    public static final int SHUT_RDWR = 2;

    public static final int MSG_NOSIGNAL = 0x4000;
    public static final int MSG_DONTWAIT = 0x40;
    public static final int MSG_MORE = 0x8000;

    private Sockets() {
        throw new AssertionError();
    }

    /** socket(2), always with SOCK_CLOEXEC added. */
    public static Fd socket(int family, int type, int protocol) throws ErrnoException {
        long fd = Native.sys(Syscalls.SOCKET, family, type | SOCK_CLOEXEC, protocol);
        if (fd < 0) {
            throw new ErrnoException("socket", (int) -fd, familyName(family));
        }
        return Fd.adopt((int) fd);
    }

    /** socketpair(AF_UNIX), both ends CLOEXEC. */
    public static Fd[] socketPair(int type) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fds = arena.allocate(INT, 2);
            long r = Native.sys(Syscalls.SOCKETPAIR, SockAddr.AF_UNIX, type | SOCK_CLOEXEC, 0, fds.address());
            if (r < 0) {
                throw new ErrnoException("socketpair", (int) -r, null);
            }
            return new Fd[] {Fd.adopt(fds.getAtIndex(INT, 0)), Fd.adopt(fds.getAtIndex(INT, 1))};
        }
    }

    public static void bind(Fd fd, SockAddr address) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = address.encode(arena);
            long r = Native.sys(Syscalls.BIND, fd.fd(), a.address(), a.byteSize());
            if (r < 0) {
                throw new ErrnoException("bind", (int) -r, address);
            }
        }
    }

    public static void listen(Fd fd, int backlog) throws ErrnoException {
        long r = Native.sys(Syscalls.LISTEN, fd.fd(), backlog);
        if (r < 0) {
            throw new ErrnoException("listen", (int) -r, fd);
        }
    }

    /**
     * accept4(2) without the peer address, CLOEXEC always added: the new fd, or -errno.
     * The hot path of every listener; it does not throw.
     */
    public static int acceptRaw(int listenFd, int flags) {
        return (int) Native.sys(Syscalls.ACCEPT4, listenFd, 0, 0, flags | SOCK_CLOEXEC);
    }

    /** A connection from {@link #acceptWithPeer} and the peer's address. */
    public record Accepted(Fd fd, SockAddr peer) {
    }

    /**
     * accept4(2) that also reads the peer's address, as the kernel recorded it at accept time (so it is there
     * even when the peer has already gone and getpeername(2) would fail with ENOTCONN); CLOEXEC always added.
     * Returns null when accept4 fails with an error {@link Errno#isAcceptAgain} (EAGAIN, ECONNABORTED, ...).
     */
    public static Accepted acceptWithPeer(Fd listener, int flags) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment storage = arena.allocate(SockAddr.STORAGE_SIZE);
            MemorySegment length = arena.allocateFrom(INT, SockAddr.STORAGE_SIZE);
            int fd = (int) Native.sys(Syscalls.ACCEPT4, listener.fd(), storage.address(), length.address(),
                    flags | SOCK_CLOEXEC);
            if (fd < 0) {
                if (Errno.isAcceptAgain(-fd)) {
                    return null;
                }
                throw new ErrnoException("accept4", -fd, listener);
            }
            Fd connection = Fd.adopt(fd);
            return new Accepted(connection, SockAddr.decode(storage, length.get(INT, 0)));
        }
    }

    /** accept4(2), throwing; for callers that want one connection and block or fail. */
    public static Fd accept(Fd listener, int flags) throws ErrnoException {
        int fd = acceptRaw(listener.fd(), flags);
        if (fd < 0) {
            throw new ErrnoException("accept4", -fd, listener);
        }
        return Fd.adopt(fd);
    }

    /** connect(2): 0 when connected, or -errno (-EINPROGRESS for a non-blocking socket in progress). */
    public static int connectRaw(Fd fd, SockAddr address) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = address.encode(arena);
            return (int) Native.sys(Syscalls.CONNECT, fd.fd(), a.address(), a.byteSize());
        }
    }

    /** connect(2) to an address already encoded ({@link SockAddr#encode}): 0 or -errno. For hot paths. */
    public static int connectRaw(int fd, MemorySegment encodedAddress) {
        return (int) Native.sys(Syscalls.CONNECT, fd, encodedAddress.address(), encodedAddress.byteSize());
    }

    /**
     * Whether a socket whose non-blocking connect(2) is in progress has finished connecting: getpeername(2)
     * succeeds only then. On loopback the handshake is usually done by the time connect returns, and this one call
     * saves a wait for writability and an interest change. {@code scratch} holds a sockaddr_storage and its length
     * (at least 132 bytes), so that the hot path allocates nothing.
     */
    public static boolean isConnected(int fd, MemorySegment scratch) {
        return peerAddressRaw(fd, scratch) >= 0;
    }

    /**
     * getpeername(2) into {@code scratch}: a sockaddr_storage, then its length as an int (at least 132 bytes).
     * The address's length, or -errno. For hot paths: allocates nothing.
     */
    public static int peerAddressRaw(int fd, MemorySegment scratch) {
        return addressRaw(Syscalls.GETPEERNAME, fd, scratch);
    }

    /** getsockname(2) as {@link #peerAddressRaw} does getpeername(2). */
    public static int localAddressRaw(int fd, MemorySegment scratch) {
        return addressRaw(Syscalls.GETSOCKNAME, fd, scratch);
    }

    private static int addressRaw(long call, int fd, MemorySegment scratch) {
        MemorySegment length = scratch.asSlice(SockAddr.STORAGE_SIZE, INT.byteSize());
        length.set(INT, 0, SockAddr.STORAGE_SIZE);
        long r = Native.sys(call, fd, scratch.address(), length.address());
        return r < 0 ? (int) r : length.get(INT, 0);
    }

    /** connect(2), throwing; blocking sockets. */
    public static void connect(Fd fd, SockAddr address) throws ErrnoException {
        int r = connectRaw(fd, address);
        if (r < 0) {
            throw new ErrnoException("connect", -r, address);
        }
    }

    /** send(2) on a connected socket: bytes sent or -errno. */
    public static long sendRaw(int fd, MemorySegment buffer, long length, int flags) {
        return Native.sys(Syscalls.SENDTO, fd, buffer.address(), length, flags, 0, 0);
    }

    /** recv(2): bytes received, 0 at end of file, or -errno. */
    public static long recvRaw(int fd, MemorySegment buffer, long length, int flags) {
        return Native.sys(Syscalls.RECVFROM, fd, buffer.address(), length, flags, 0, 0);
    }

    /** shutdown(2): 0 or -errno (ENOTCONN after the peer reset is normal on teardown). */
    public static int shutdownRaw(int fd, int how) {
        return (int) Native.sys(Syscalls.SHUTDOWN, fd, how);
    }

    public static int getIntOption(int fd, int level, int option) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate(INT);
            MemorySegment length = arena.allocateFrom(INT, 4);
            long r = Native.sys(Syscalls.GETSOCKOPT, fd, level, option, value.address(), length.address());
            if (r < 0) {
                throw new ErrnoException("getsockopt", (int) -r, optionName(level, option));
            }
            return value.get(INT, 0);
        }
    }

    public static void setIntOption(int fd, int level, int option, int value) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            setOption(fd, level, option, arena.allocateFrom(INT, value));
        }
    }

    /** A string option such as SO_BINDTODEVICE or TCP_CONGESTION (passed without the trailing NUL). */
    public static void setStringOption(int fd, int level, int option, String value) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
            MemorySegment s = arena.allocate(Math.max(1, bytes.length));
            MemorySegment.copy(bytes, 0, s, Layouts.BYTE, 0, bytes.length);
            setOption(fd, level, option, s.asSlice(0, bytes.length));
        }
    }

    public static String getStringOption(int fd, int level, int option) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate(256);
            MemorySegment length = arena.allocateFrom(INT, 256);
            long r = Native.sys(Syscalls.GETSOCKOPT, fd, level, option, value.address(), length.address());
            if (r < 0) {
                throw new ErrnoException("getsockopt", (int) -r, optionName(level, option));
            }
            return value.getString(0);
        }
    }

    /** setsockopt(2) with a value already in native memory (for struct-valued options). */
    public static void setOption(int fd, int level, int option, MemorySegment value) throws ErrnoException {
        long r = Native.sys(Syscalls.SETSOCKOPT, fd, level, option, value.address(), value.byteSize());
        if (r < 0) {
            throw new ErrnoException("setsockopt", (int) -r, optionName(level, option));
        }
    }

    /** The peer's credentials (SO_PEERCRED) of a connected AF_UNIX socket. */
    public static PeerCredentials peerCredentials(int fd) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cred = arena.allocate(12);
            MemorySegment length = arena.allocateFrom(INT, 12);
            long r = Native.sys(Syscalls.GETSOCKOPT, fd, SOL_SOCKET, SO_PEERCRED, cred.address(), length.address());
            if (r < 0) {
                throw new ErrnoException("getsockopt", (int) -r, "SO_PEERCRED");
            }
            return new PeerCredentials(cred.get(INT, 0), cred.get(INT, 4), cred.get(INT, 8));
        }
    }

    /** pid, uid and gid of the process at the other end of an AF_UNIX socket. */
    public record PeerCredentials(int pid, int uid, int gid) {
    }

    public static SockAddr localAddress(int fd) throws ErrnoException {
        return address(Syscalls.GETSOCKNAME, "getsockname", fd);
    }

    public static SockAddr peerAddress(int fd) throws ErrnoException {
        return address(Syscalls.GETPEERNAME, "getpeername", fd);
    }

    private static SockAddr address(long call, String name, int fd) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment scratch = arena.allocate(SockAddr.STORAGE_SIZE + INT.byteSize(), 8);
            int length = addressRaw(call, fd, scratch);
            if (length < 0) {
                throw new ErrnoException(name, -length, "fd " + fd);
            }
            return SockAddr.decode(scratch, length);
        }
    }


    /** Sends one datagram to {@code address} (sd_notify), never raising SIGPIPE. */
    public static void sendTo(Fd fd, byte[] message, SockAddr address) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = address.encode(arena);
            MemorySegment data = arena.allocate(Math.max(1, message.length));
            MemorySegment.copy(message, 0, data, Layouts.BYTE, 0, message.length);
            long r = Native.sys(Syscalls.SENDTO, fd.fd(), data.address(), message.length, MSG_NOSIGNAL, a.address(), a.byteSize());
            if (r < 0) {
                throw new ErrnoException("sendto", (int) -r, address);
            }
        }
    }

    /** SO_TYPE of a socket. */
    public static int type(int fd) throws ErrnoException {
        return getIntOption(fd, SOL_SOCKET, SO_TYPE);
    }

    /** SO_ACCEPTCONN: whether listen() was called on it. */
    public static boolean isListening(int fd) throws ErrnoException {
        return getIntOption(fd, SOL_SOCKET, SO_ACCEPTCONN) != 0;
    }

    /** SO_ERROR, cleared by reading: the result of a non-blocking connect. */
    public static int pendingError(int fd) throws ErrnoException {
        return getIntOption(fd, SOL_SOCKET, SO_ERROR);
    }

    static String familyName(int family) {
        return switch (family) {
            case SockAddr.AF_UNIX -> "AF_UNIX";
            case SockAddr.AF_INET -> "AF_INET";
            case SockAddr.AF_INET6 -> "AF_INET6";
            case SockAddr.AF_NETLINK -> "AF_NETLINK";
            case SockAddr.AF_VSOCK -> "AF_VSOCK";
            default -> "family " + family;
        };
    }

    private static String optionName(int level, int option) {
        return "level " + level + ", option " + option;
    }
}
