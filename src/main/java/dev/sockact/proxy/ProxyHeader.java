package dev.sockact.proxy;

import dev.sockact.posix.SockAddr;
import dev.sockact.posix.Sockets;
import dev.sockact.text.Ipv6Text;
import java.lang.foreign.MemorySegment;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A PROXY protocol header (haproxy's proxy-protocol.txt), which tells the target who the client is: the client's
 * address and the address it connected to, ahead of the client's first byte. Encoded once per connection (or, for
 * datagrams, once per session and sent ahead of each datagram), then copied out as often as needed.
 *
 * <p>Version 1 is one line of text: {@code PROXY TCP4 src dst sport dport\r\n}, {@code TCP6} alike, or
 * {@code PROXY UNKNOWN\r\n} for a client that is not IP (a UNIX socket client), which the receiver reads as "use
 * the connection's own addresses". It only describes streams.
 *
 * <p>Version 2 is binary: the 12-byte signature, version and command ({@code 0x21} PROXY, {@code 0x20} LOCAL),
 * family and transport, the address block's length (big-endian), then the addresses: IPv4 source, destination,
 * ports (12 bytes), IPv6 the same (36), UNIX two 108-byte {@code sun_path}s (216). A family v2 has no word for
 * (vsock) is sent as PROXY with AF_UNSPEC and no addresses, which the spec lets the receiver accept. An IPv4
 * client of a dual-stack IPv6 socket ({@code ::ffff:a.b.c.d} on both ends) is written as IPv4, as haproxy does.
 */
public final class ProxyHeader {
    /** Which version of the protocol is written (socket-proxyd's {@code --proxy-protocol=v1|v2}). */
    public enum Version {
        V1("v1"), V2("v2");

        private final String text;

        Version(String text) {
            this.text = text;
        }

        /** The option's spelling, {@code v1} or {@code v2}; null for anything else. */
        public static Version parse(String text) {
            for (Version v : values()) {
                if (v.text.equals(text)) {
                    return v;
                }
            }
            return null;
        }

        @Override
        public String toString() {
            return text;
        }
    }

    /** The transport the header describes: v2 says it in the low nibble of its 14th byte. */
    public enum Transport {
        STREAM(0x1), DGRAM(0x2);

        final int code;

        Transport(int code) {
            this.code = code;
        }
    }

    /** The v2 signature: "\r\n\r\n\0\r\nQUIT\n". */
    static final byte[] V2_SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};
    /** The longest v1 line, CRLF included (the spec's 107). */
    public static final int V1_MAX_LENGTH = 107;
    /** The longest v2 header this class writes: 16 fixed bytes and two sun_paths. */
    public static final int V2_MAX_LENGTH = 16 + 2 * SockAddr.UNIX_PATH_MAX;

    private static final int CMD_LOCAL = 0x20;
    private static final int CMD_PROXY = 0x21;
    private static final int AF_UNSPEC = 0x00;
    private static final int FAMILY_INET = 0x10;
    private static final int FAMILY_INET6 = 0x20;
    private static final int FAMILY_UNIX = 0x30;

    private final byte[] bytes;

    private ProxyHeader(byte[] bytes) {
        this.bytes = bytes;
    }

    /** What {@link #writeStreamHeader} needs of scratch memory: two sockaddr_storages, each with its length. */
    static final long SCRATCH_SIZE = 2 * (SockAddr.STORAGE_SIZE + 8);

    /**
     * Writes the header of {@code version} for the accepted stream socket {@code fd} into {@code target} at 0 and
     * returns its length, or -errno when the socket's addresses cannot be read (ENOTCONN: the client has gone).
     * This is the path of every new connection: IPv4 and IPv6 v2 headers are written from the kernel's sockaddrs
     * as they come, through {@code scratch} ({@link #SCRATCH_SIZE} bytes), with no allocation, no address objects
     * and no copy but into {@code target}; v1's line alike (an IPv6 address's text is the one string made). UNIX
     * sockets and mixed families are built by {@link #of}; both paths give the same bytes (ProxyHeaderTest).
     */
    static long writeStreamHeader(Version version, int fd, MemorySegment scratch, MemorySegment target) {
        MemorySegment peer = scratch.asSlice(0, SockAddr.STORAGE_SIZE + 8);
        MemorySegment local = scratch.asSlice(SockAddr.STORAGE_SIZE + 8, SockAddr.STORAGE_SIZE + 8);
        int peerLength = Sockets.peerAddressRaw(fd, peer);
        if (peerLength < 0) {
            return peerLength;
        }
        int localLength = Sockets.localAddressRaw(fd, local);
        if (localLength < 0) {
            return localLength;
        }
        long written = version == Version.V2 ? writeV2Inet(peer, local, target) : writeV1Inet(peer, local, target);
        if (written > 0) {
            return written;
        }
        ProxyHeader header = of(version, SockAddr.decode(peer, peerLength), SockAddr.decode(local, localLength));
        return header.copyTo(target, 0);
    }

    /** The v2 PROXY header of two IPv4 or two IPv6 sockaddrs (v4-mapped pairs as IPv4); 0 for other families. */
    private static long writeV2Inet(MemorySegment peer, MemorySegment local, MemorySegment target) {
        short family = inetFamily(peer, local);
        if (family == 0) {
            return 0;
        }
        MemorySegment.copy(V2_SIGNATURE, 0, target, ValueLayout.JAVA_BYTE, 0, V2_SIGNATURE.length);
        target.set(ValueLayout.JAVA_BYTE, 12, (byte) CMD_PROXY);
        if (family == SockAddr.AF_INET) {
            return writeInet4(peer, 4, local, 4, target);
        }
        if (isV4Mapped(peer) && isV4Mapped(local)) {
            return writeInet4(peer, 8 + 12, local, 8 + 12, target);
        }
        target.set(ValueLayout.JAVA_BYTE, 13, (byte) (FAMILY_INET6 | Transport.STREAM.code));
        target.set(ValueLayout.JAVA_BYTE, 14, (byte) 0);
        target.set(ValueLayout.JAVA_BYTE, 15, (byte) 36);
        MemorySegment.copy(peer, 8, target, 16, 16);     // sin6_addr
        MemorySegment.copy(local, 8, target, 32, 16);
        MemorySegment.copy(peer, 2, target, 48, 2);      // sin6_port, in network order as v2 wants it
        MemorySegment.copy(local, 2, target, 50, 2);
        return 52;
    }

    /** AF_INET or AF_INET6 when both sockaddrs are of it; 0 otherwise (the typed path writes those). */
    private static short inetFamily(MemorySegment peer, MemorySegment local) {
        short family = peer.get(ValueLayout.JAVA_SHORT, 0);
        boolean inet = family == SockAddr.AF_INET || family == SockAddr.AF_INET6;
        return inet && family == local.get(ValueLayout.JAVA_SHORT, 0) ? family : 0;
    }

    /** The v1 line of two IPv4 or two IPv6 sockaddrs (v4-mapped pairs as TCP4); 0 for other families. */
    private static long writeV1Inet(MemorySegment peer, MemorySegment local, MemorySegment target) {
        short family = inetFamily(peer, local);
        if (family == 0) {
            return 0;
        }
        boolean four = family == SockAddr.AF_INET || (isV4Mapped(peer) && isV4Mapped(local));
        long at = putAscii(target, 0, four ? "PROXY TCP4 " : "PROXY TCP6 ");
        long addressAt = family == SockAddr.AF_INET ? 4 : four ? 8 + 12 : 8;
        at = four ? putInet4(target, at, peer, addressAt) : putAscii(target, at, inet6Text(peer));
        target.set(ValueLayout.JAVA_BYTE, at++, (byte) ' ');
        at = four ? putInet4(target, at, local, addressAt) : putAscii(target, at, inet6Text(local));
        target.set(ValueLayout.JAVA_BYTE, at++, (byte) ' ');
        at = putDecimal(target, at, port(peer));
        target.set(ValueLayout.JAVA_BYTE, at++, (byte) ' ');
        at = putDecimal(target, at, port(local));
        target.set(ValueLayout.JAVA_BYTE, at++, (byte) '\r');
        target.set(ValueLayout.JAVA_BYTE, at++, (byte) '\n');
        return at;
    }

    private static long putInet4(MemorySegment target, long at, MemorySegment sockaddr, long addressAt) {
        for (int i = 0; i < 4; i++) {
            if (i > 0) {
                target.set(ValueLayout.JAVA_BYTE, at++, (byte) '.');
            }
            at = putDecimal(target, at, sockaddr.get(ValueLayout.JAVA_BYTE, addressAt + i) & 0xff);
        }
        return at;
    }

    private static String inet6Text(MemorySegment sockaddrIn6) {
        byte[] address = new byte[16];
        MemorySegment.copy(sockaddrIn6, ValueLayout.JAVA_BYTE, 8, address, 0, 16);
        return Ipv6Text.format(address);
    }

    /** sin_port or sin6_port (both at 2, in network order). */
    private static int port(MemorySegment sockaddr) {
        return (sockaddr.get(ValueLayout.JAVA_BYTE, 2) & 0xff) << 8 | (sockaddr.get(ValueLayout.JAVA_BYTE, 3) & 0xff);
    }

    private static long putAscii(MemorySegment target, long at, String text) {
        for (int i = 0; i < text.length(); i++) {
            target.set(ValueLayout.JAVA_BYTE, at++, (byte) text.charAt(i));
        }
        return at;
    }

    /** {@code value} (0-65535) in decimal, without leading zeros. */
    private static long putDecimal(MemorySegment target, long at, int value) {
        int digits = value >= 10000 ? 5 : value >= 1000 ? 4 : value >= 100 ? 3 : value >= 10 ? 2 : 1;
        for (int i = digits - 1; i >= 0; i--) {
            target.set(ValueLayout.JAVA_BYTE, at + i, (byte) ('0' + value % 10));
            value /= 10;
        }
        return at + digits;
    }

    /** IPv4 addresses at {@code peerAt}/{@code localAt} of the sockaddrs; the ports at 2 (sin_port, sin6_port). */
    private static long writeInet4(MemorySegment peer, long peerAt, MemorySegment local, long localAt,
                                   MemorySegment target) {
        target.set(ValueLayout.JAVA_BYTE, 13, (byte) (FAMILY_INET | Transport.STREAM.code));
        target.set(ValueLayout.JAVA_BYTE, 14, (byte) 0);
        target.set(ValueLayout.JAVA_BYTE, 15, (byte) 12);
        MemorySegment.copy(peer, peerAt, target, 16, 4);
        MemorySegment.copy(local, localAt, target, 20, 4);
        MemorySegment.copy(peer, 2, target, 24, 2);
        MemorySegment.copy(local, 2, target, 26, 2);
        return 28;
    }

    /** A sockaddr_in6 holding ::ffff:a.b.c.d. */
    private static boolean isV4Mapped(MemorySegment sockaddrIn6) {
        for (int i = 8; i < 18; i++) {
            if (sockaddrIn6.get(ValueLayout.JAVA_BYTE, i) != 0) {
                return false;
            }
        }
        return sockaddrIn6.get(ValueLayout.JAVA_BYTE, 18) == (byte) 0xff
                && sockaddrIn6.get(ValueLayout.JAVA_BYTE, 19) == (byte) 0xff;
    }

    /** The header of {@code version} for a stream from {@code client} that arrived on {@code local}. */
    public static ProxyHeader of(Version version, SockAddr client, SockAddr local) {
        return version == Version.V1 ? v1(client, local) : v2(client, local, Transport.STREAM);
    }

    /** A v1 line: TCP4 or TCP6 when both addresses are of that family, UNKNOWN otherwise. */
    public static ProxyHeader v1(SockAddr client, SockAddr local) {
        if (isV4Mapped(client) && isV4Mapped(local)) {
            return v1(unmapped(client), unmapped(local));
        }
        String line;
        if (client instanceof SockAddr.In4(var ca, int cp) && local instanceof SockAddr.In4(var la, int lp)) {
            line = "PROXY TCP4 " + ca.getHostAddress() + " " + la.getHostAddress() + " " + cp + " " + lp + "\r\n";
        } else if (client instanceof SockAddr.In6(var ca, int cp, int _) && local instanceof SockAddr.In6(var la, int lp, int _)) {
            // No scope in v1: the address text is inet_ntop's, as haproxy writes it.
            line = "PROXY TCP6 " + Ipv6Text.format(ca.getAddress()) + " " + Ipv6Text.format(la.getAddress())
                    + " " + cp + " " + lp + "\r\n";
        } else {
            line = "PROXY UNKNOWN\r\n";
        }
        return new ProxyHeader(line.getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * A v2 PROXY header. Addresses of two different families (which one socket never has) or of a family v2
     * cannot carry are sent as AF_UNSPEC without addresses.
     */
    public static ProxyHeader v2(SockAddr client, SockAddr local, Transport transport) {
        if (isV4Mapped(client) && isV4Mapped(local)) {
            return v2(unmapped(client), unmapped(local), transport);
        }
        ByteBuffer block;
        int family;
        if (client instanceof SockAddr.In4(var ca, int cp) && local instanceof SockAddr.In4(var la, int lp)) {
            family = FAMILY_INET;
            block = ByteBuffer.allocate(12).put(ca.getAddress()).put(la.getAddress()).putShort((short) cp).putShort((short) lp);
        } else if (client instanceof SockAddr.In6(var ca, int cp, int _) && local instanceof SockAddr.In6(var la, int lp, int _)) {
            family = FAMILY_INET6;
            block = ByteBuffer.allocate(36).put(ca.getAddress()).put(la.getAddress()).putShort((short) cp).putShort((short) lp);
        } else if (client.family() == SockAddr.AF_UNIX && local.family() == SockAddr.AF_UNIX) {
            family = FAMILY_UNIX;
            block = ByteBuffer.allocate(2 * SockAddr.UNIX_PATH_MAX).put(sunPath(client)).put(sunPath(local));
        } else {
            return header(CMD_PROXY, AF_UNSPEC, new byte[0]);
        }
        return header(CMD_PROXY, family | transport.code, block.array());
    }

    /**
     * A v2 LOCAL header: the connection is the proxy's own (a health check), the receiver uses the real
     * endpoints. No addresses.
     */
    public static ProxyHeader v2Local() {
        return header(CMD_LOCAL, AF_UNSPEC, new byte[0]);
    }

    private static ProxyHeader header(int command, int familyAndTransport, byte[] addresses) {
        byte[] h = Arrays.copyOf(V2_SIGNATURE, 16 + addresses.length);
        h[12] = (byte) command;
        h[13] = (byte) familyAndTransport;
        h[14] = (byte) (addresses.length >>> 8);
        h[15] = (byte) addresses.length;
        System.arraycopy(addresses, 0, h, 16, addresses.length);
        return new ProxyHeader(h);
    }

    /** An IPv4 client of a dual-stack IPv6 socket: sent as the IPv4 address it is, as haproxy does. */
    private static boolean isV4Mapped(SockAddr address) {
        if (!(address instanceof SockAddr.In6(var a, int _, int _))) {
            return false;
        }
        byte[] b = a.getAddress();
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return b[10] == (byte) 0xff && b[11] == (byte) 0xff;
    }

    private static SockAddr unmapped(SockAddr mapped) {
        SockAddr.In6 v6 = (SockAddr.In6) mapped;
        try {
            return new SockAddr.In4((Inet4Address) InetAddress.getByAddress(Arrays.copyOfRange(v6.address().getAddress(), 12, 16)),
                    v6.port());
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** The 108 bytes of sun_path as the kernel holds them: a path NUL-padded, an abstract name after a NUL. */
    private static byte[] sunPath(SockAddr address) {
        byte[] path = new byte[SockAddr.UNIX_PATH_MAX];
        switch (address) {
            case SockAddr.UnixPath(String p) -> {
                byte[] b = p.getBytes(StandardCharsets.UTF_8);
                System.arraycopy(b, 0, path, 0, b.length);
            }
            case SockAddr.UnixAbstract(String name) -> {
                byte[] b = name.getBytes(StandardCharsets.UTF_8);
                System.arraycopy(b, 0, path, 1, b.length);
            }
            default -> { }   // unnamed: all zeros, as getpeername leaves it
        }
        return path;
    }

    /** The header's length in bytes. */
    public int length() {
        return bytes.length;
    }

    /** A copy of the header's bytes. */
    public byte[] toByteArray() {
        return bytes.clone();
    }

    /** Copies the header into {@code target} at {@code offset}; returns the offset after it. */
    public long copyTo(MemorySegment target, long offset) {
        MemorySegment.copy(bytes, 0, target, ValueLayout.JAVA_BYTE, offset, bytes.length);
        return offset + bytes.length;
    }

    /** v1 as its text without the CRLF; v2 as hex. For logs and test failures. */
    @Override
    public String toString() {
        if (bytes[0] == 'P') {
            return new String(bytes, 0, bytes.length - 2, StandardCharsets.US_ASCII);
        }
        return java.util.HexFormat.of().formatHex(bytes);
    }
}
