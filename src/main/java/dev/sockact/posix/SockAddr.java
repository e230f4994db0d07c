package dev.sockact.posix;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import dev.sockact.text.Ipv6Text;
import java.util.Arrays;

/**
 * A socket address of every family sockact listens on or connects to.
 * {@link #toString()} gives the form systemd prints: {@code 127.0.0.1:80},
 * {@code [::1]:80}, {@code /run/foo.sock}, {@code @name}, {@code vsock:2:1234}.
 */
public sealed interface SockAddr {
    int AF_UNIX = 1;
    int AF_INET = 2;
    int AF_INET6 = 10;
    int AF_NETLINK = 16;
    int AF_VSOCK = 40;

    /** sizeof(struct sockaddr_storage). */
    int STORAGE_SIZE = 128;
    /** sizeof(sun_path). */
    int UNIX_PATH_MAX = 108;

    int family();

    /** Writes the C struct into native memory from {@code arena}; its byte size is the addrlen. */
    MemorySegment encode(Arena arena);

    /** IPv4 address and port. */
    record In4(Inet4Address address, int port) implements SockAddr {
        public In4 {
            checkPort(port);
        }

        @Override
        public int family() {
            return AF_INET;
        }

        @Override
        public MemorySegment encode(Arena arena) {
            MemorySegment s = arena.allocate(16);
            s.set(Layouts.SHORT, 0, (short) AF_INET);
            s.set(Layouts.SHORT.withOrder(ByteOrder.BIG_ENDIAN), 2, (short) port);
            Layouts.put(s, 4, address.getAddress());
            return s;
        }

        @Override
        public String toString() {
            return address.getHostAddress() + ":" + port;
        }
    }

    /** IPv6 address, port and scope (interface index, 0 for none). */
    record In6(Inet6Address address, int port, int scopeId) implements SockAddr {
        public In6 {
            checkPort(port);
        }

        @Override
        public int family() {
            return AF_INET6;
        }

        @Override
        public MemorySegment encode(Arena arena) {
            MemorySegment s = arena.allocate(28);
            s.set(Layouts.SHORT, 0, (short) AF_INET6);
            s.set(Layouts.SHORT.withOrder(ByteOrder.BIG_ENDIAN), 2, (short) port);
            Layouts.put(s, 8, address.getAddress());
            s.set(Layouts.INT, 24, scopeId);
            return s;
        }

        /** systemd's form: the scope after the port, by interface name when there is one ({@code [fe80::1]:87%eth0}). */
        @Override
        public String toString() {
            return "[" + Ipv6Text.format(address.getAddress()) + "]:" + port + (scopeId != 0 ? "%" + scopeName(scopeId) : "");
        }

        private static String scopeName(int index) {
            try {
                NetworkInterface nic = NetworkInterface.getByIndex(index);
                return nic != null ? nic.getName() : Integer.toString(index);
            } catch (SocketException e) {
                return Integer.toString(index);
            }
        }
    }

    /** A UNIX socket in the file system. */
    record UnixPath(String path) implements SockAddr {
        public UnixPath {
            if (path.isEmpty() || path.getBytes(StandardCharsets.UTF_8).length >= UNIX_PATH_MAX) {
                throw new IllegalArgumentException("AF_UNIX path must be 1 to " + (UNIX_PATH_MAX - 1) + " bytes: " + path);
            }
        }

        @Override
        public int family() {
            return AF_UNIX;
        }

        @Override
        public MemorySegment encode(Arena arena) {
            byte[] bytes = path.getBytes(StandardCharsets.UTF_8);
            MemorySegment s = arena.allocate(2 + bytes.length + 1);
            s.set(Layouts.SHORT, 0, (short) AF_UNIX);
            Layouts.put(s, 2, bytes);
            return s;
        }

        @Override
        public String toString() {
            return path;
        }
    }

    /** A UNIX socket in the abstract namespace; {@code name} excludes the leading NUL ("@" in text). */
    record UnixAbstract(String name) implements SockAddr {
        public UnixAbstract {
            if (name.getBytes(StandardCharsets.UTF_8).length > UNIX_PATH_MAX - 1) {
                throw new IllegalArgumentException("abstract AF_UNIX name longer than " + (UNIX_PATH_MAX - 1) + " bytes: " + name);
            }
        }

        @Override
        public int family() {
            return AF_UNIX;
        }

        @Override
        public MemorySegment encode(Arena arena) {
            byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
            // The address length counts the leading NUL and the name, no trailing NUL.
            MemorySegment s = arena.allocate(2 + 1 + bytes.length);
            s.set(Layouts.SHORT, 0, (short) AF_UNIX);
            Layouts.put(s, 3, bytes);
            return s;
        }

        @Override
        public String toString() {
            return "@" + name;
        }
    }

    /** An unnamed UNIX socket, as getpeername reports for a socketpair or an unbound client. */
    record UnixUnnamed() implements SockAddr {
        @Override
        public int family() {
            return AF_UNIX;
        }

        @Override
        public MemorySegment encode(Arena arena) {
            MemorySegment s = arena.allocate(2);
            s.set(Layouts.SHORT, 0, (short) AF_UNIX);
            return s;
        }

        @Override
        public String toString() {
            return "(unnamed)";
        }
    }

    /** AF_VSOCK context id and port. */
    record Vsock(int cid, int port) implements SockAddr {
        @Override
        public int family() {
            return AF_VSOCK;
        }

        @Override
        public MemorySegment encode(Arena arena) {
            MemorySegment s = arena.allocate(16);
            s.set(Layouts.SHORT, 0, (short) AF_VSOCK);
            s.set(Layouts.INT, 4, port);
            s.set(Layouts.INT, 8, cid);
            return s;
        }

        @Override
        public String toString() {
            // VMADDR_CID_ANY (-1) is printed as an empty CID, as systemd does: vsock::1234.
            return "vsock:" + (cid == -1 ? "" : Integer.toUnsignedString(cid)) + ":" + Integer.toUnsignedString(port);
        }
    }

    /** AF_NETLINK port id and multicast groups. */
    record Netlink(int portId, int groups) implements SockAddr {
        @Override
        public int family() {
            return AF_NETLINK;
        }

        @Override
        public MemorySegment encode(Arena arena) {
            MemorySegment s = arena.allocate(12);
            s.set(Layouts.SHORT, 0, (short) AF_NETLINK);
            s.set(Layouts.INT, 4, portId);
            s.set(Layouts.INT, 8, groups);
            return s;
        }

        @Override
        public String toString() {
            return "netlink:" + Integer.toUnsignedString(portId) + "/" + Integer.toUnsignedString(groups);
        }
    }

    /**
     * Reads a sockaddr of {@code length} bytes, as filled in by getsockname/getpeername/accept/recvmsg. Shorter than
     * a family (recvmsg's name of a datagram from an unbound UNIX socket is 0 bytes): unnamed.
     */
    static SockAddr decode(MemorySegment s, int length) {
        if (length < 2) {
            return new UnixUnnamed();
        }
        int family = Short.toUnsignedInt(s.get(Layouts.SHORT, 0));
        ByteOrder be = ByteOrder.BIG_ENDIAN;
        return switch (family) {
            case AF_INET -> new In4((Inet4Address) inet(Layouts.get(s, 4, 4)),
                    Short.toUnsignedInt(s.get(Layouts.SHORT.withOrder(be), 2)));
            case AF_INET6 -> new In6(inet6(Layouts.get(s, 8, 16)),
                    Short.toUnsignedInt(s.get(Layouts.SHORT.withOrder(be), 2)), s.get(Layouts.INT, 24));
            case AF_UNIX -> decodeUnix(s, length);
            case AF_VSOCK -> new Vsock(s.get(Layouts.INT, 8), s.get(Layouts.INT, 4));
            case AF_NETLINK -> new Netlink(s.get(Layouts.INT, 4), s.get(Layouts.INT, 8));
            default -> throw new IllegalArgumentException("unsupported address family " + family);
        };
    }

    private static SockAddr decodeUnix(MemorySegment s, int length) {
        if (length <= 2) {
            return new UnixUnnamed();
        }
        byte[] path = Layouts.get(s, 2, length - 2);
        if (path[0] == 0) {
            return new UnixAbstract(new String(path, 1, path.length - 1, StandardCharsets.UTF_8));
        }
        int end = 0;
        while (end < path.length && path[end] != 0) {
            end++;
        }
        return new UnixPath(new String(Arrays.copyOf(path, end), StandardCharsets.UTF_8));
    }

    private static InetAddress inet(byte[] bytes) {
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static Inet6Address inet6(byte[] bytes) {
        try {
            // getByAddress would turn an IPv4-mapped address into an Inet4Address.
            return Inet6Address.getByAddress(null, bytes, -1);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static void checkPort(int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
    }
}
