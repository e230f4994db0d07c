package dev.sockact.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sockact.posix.Fd;
import dev.sockact.posix.SockAddr;
import dev.sockact.posix.Sockets;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HexFormat;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The header's bytes against haproxy's proxy-protocol.txt: section 2.1 (the v1 line) and 2.2 (the v2 block: signature,
 * ver_cmd, fam, len in network order, then the address union).
 */
class ProxyHeaderTest {
    private static final String SIGNATURE = "0d0a0d0a000d0a515549540a";

    @Test
    void v1Tcp4() {
        ProxyHeader h = ProxyHeader.v1(in4("192.0.2.7", 56324), in4("127.0.0.1", 443));
        assertThat(ascii(h)).isEqualTo("PROXY TCP4 192.0.2.7 127.0.0.1 56324 443\r\n");
    }

    @Test
    void v1Tcp6CompressedAndWithoutScope() {
        ProxyHeader h = ProxyHeader.v1(new SockAddr.In6(in6("2001:db8:0:0:0:0:0:5"), 40000, 0),
                new SockAddr.In6(in6("fe80::1"), 80, 1));
        assertThat(ascii(h)).isEqualTo("PROXY TCP6 2001:db8::5 fe80::1 40000 80\r\n");
    }

    @Test
    void ipv4ClientOfADualStackSocketIsWrittenAsIpv4() {
        SockAddr client = new SockAddr.In6(in6("::ffff:10.0.0.1"), 1, 0);
        SockAddr local = new SockAddr.In6(in6("::ffff:127.0.0.1"), 2, 0);
        assertThat(ascii(ProxyHeader.v1(client, local))).isEqualTo("PROXY TCP4 10.0.0.1 127.0.0.1 1 2\r\n");
        assertThat(hex(ProxyHeader.v2(client, local, ProxyHeader.Transport.STREAM)))
                .isEqualTo(SIGNATURE + "2111000c" + "0a000001" + "7f000001" + "0001" + "0002");
        // Only when both ends are: a mapped client against a real IPv6 end stays TCP6.
        assertThat(ascii(ProxyHeader.v1(client, new SockAddr.In6(in6("::"), 2, 0))))
                .isEqualTo("PROXY TCP6 ::ffff:10.0.0.1 :: 1 2\r\n");
    }

    @Test
    void v1UnixClientIsUnknown() {
        ProxyHeader h = ProxyHeader.v1(new SockAddr.UnixUnnamed(), new SockAddr.UnixPath("/run/app.sock"));
        assertThat(ascii(h)).isEqualTo("PROXY UNKNOWN\r\n");
        assertThat(ProxyHeader.v1(new SockAddr.Vsock(3, 5), new SockAddr.Vsock(2, 5)).length()).isEqualTo(15);
    }

    @Test
    void v1LongestLineFitsTheSpecsBound() {
        SockAddr a = new SockAddr.In6(in6("ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe"), 65535, 0);
        assertThat(ProxyHeader.v1(a, a).length()).isEqualTo(104).isLessThanOrEqualTo(ProxyHeader.V1_MAX_LENGTH);
    }

    @Test
    void v2Ipv4Stream() {
        ProxyHeader h = ProxyHeader.v2(in4("192.0.2.7", 0xdc04), in4("127.0.0.1", 443), ProxyHeader.Transport.STREAM);
        // PROXY (0x21), AF_INET|STREAM (0x11), len 12; src, dst, src port, dst port.
        assertThat(hex(h)).isEqualTo(SIGNATURE + "21" + "11" + "000c" + "c0000207" + "7f000001" + "dc04" + "01bb");
    }

    @Test
    void v2Ipv6Datagram() {
        ProxyHeader h = ProxyHeader.v2(new SockAddr.In6(in6("2001:db8::5"), 53000, 0),
                new SockAddr.In6(in6("::1"), 53, 0), ProxyHeader.Transport.DGRAM);
        assertThat(hex(h)).isEqualTo(SIGNATURE + "21" + "22" + "0024"
                + "20010db8000000000000000000000005" + "00000000000000000000000000000001" + "cf08" + "0035");
    }

    @Test
    void v2UnixCarriesBothSunPaths() {
        ProxyHeader h = ProxyHeader.v2(new SockAddr.UnixAbstract("cl"), new SockAddr.UnixPath("/run/a"),
                ProxyHeader.Transport.STREAM);
        byte[] b = h.toByteArray();
        assertThat(b).hasSize(16 + 216).hasSize(ProxyHeader.V2_MAX_LENGTH);
        assertThat(HexFormat.of().formatHex(b, 12, 16)).isEqualTo("213100d8");
        // Abstract: a NUL, then the name; a path: NUL-padded to 108.
        assertThat(HexFormat.of().formatHex(b, 16, 20)).isEqualTo("00636c00");
        assertThat(new String(b, 16 + 108, 6, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("/run/a");
        for (int i = 16 + 108 + 6; i < b.length; i++) {
            assertThat(b[i]).as("padding at %d", i).isZero();
        }
    }

    @Test
    void v2UnnamedUnixClientIsAllZeros() {
        byte[] b = ProxyHeader.v2(new SockAddr.UnixUnnamed(), new SockAddr.UnixPath("/x"), ProxyHeader.Transport.STREAM)
                .toByteArray();
        for (int i = 16; i < 16 + 108; i++) {
            assertThat(b[i]).isZero();
        }
        assertThat(b[16 + 108]).isEqualTo((byte) '/');
    }

    @Test
    void v2FamilyItCannotCarryIsUnspecWithoutAddresses() {
        ProxyHeader h = ProxyHeader.v2(new SockAddr.Vsock(3, 1), new SockAddr.Vsock(2, 1), ProxyHeader.Transport.STREAM);
        assertThat(hex(h)).isEqualTo(SIGNATURE + "21" + "00" + "0000");
    }

    @Test
    void v2Local() {
        assertThat(hex(ProxyHeader.v2Local())).isEqualTo(SIGNATURE + "20" + "00" + "0000");
    }

    @Test
    void ofPicksTheVersionAndParseReadsTheOptionsSpelling() {
        SockAddr c = in4("10.1.2.3", 1000);
        SockAddr l = in4("10.1.2.4", 80);
        assertThat(ProxyHeader.of(ProxyHeader.Version.V1, c, l).toByteArray()).isEqualTo(ProxyHeader.v1(c, l).toByteArray());
        assertThat(ProxyHeader.of(ProxyHeader.Version.V2, c, l).toByteArray())
                .isEqualTo(ProxyHeader.v2(c, l, ProxyHeader.Transport.STREAM).toByteArray());
        assertThat(ProxyHeader.Version.parse("v1")).isEqualTo(ProxyHeader.Version.V1);
        assertThat(ProxyHeader.Version.parse("v2")).isEqualTo(ProxyHeader.Version.V2);
        assertThat(ProxyHeader.Version.parse("V2")).isNull();
        assertThat(ProxyHeader.Version.parse("2")).isNull();
    }

    @Test
    void copyToASegment() {
        ProxyHeader h = ProxyHeader.v1(in4("1.2.3.4", 5), in4("6.7.8.9", 10));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(200);
            long end = h.copyTo(s, 3);
            assertThat(end).isEqualTo(3 + h.length());
            assertThat(s.asSlice(3, h.length()).toArray(ValueLayout.JAVA_BYTE)).isEqualTo(h.toByteArray());
        }
    }

    /**
     * The path of every new connection writes from the kernel's sockaddrs what the typed header holds, for each
     * family a socket can have: IPv4, IPv6, an IPv4 client of a dual-stack socket, and UNIX (built the typed way).
     */
    @Test
    void theHeaderOfAnAcceptedSocketIsTheTypedOnesBytes(@TempDir Path dir) throws Exception {
        SockAddr[] listenOn = {in4("127.0.0.1", 0), new SockAddr.In6(in6("::1"), 0, 0),
                new SockAddr.In6(in6("::"), 0, 0), new SockAddr.UnixPath(dir.resolve("s").toString())};
        SockAddr[] connectTo = {null, null, in4("127.0.0.1", 0), null};
        for (int i = 0; i < listenOn.length; i++) {
            try (Fd listener = Sockets.socket(listenOn[i].family(), Sockets.SOCK_STREAM, 0)) {
                Sockets.bind(listener, listenOn[i]);
                Sockets.listen(listener, 4);
                SockAddr bound = Sockets.localAddress(listener.fd());
                SockAddr target = connectTo[i] == null ? bound : in4("127.0.0.1", ((SockAddr.In6) bound).port());
                try (Fd client = Sockets.socket(target.family(), Sockets.SOCK_STREAM, 0)) {
                    Sockets.connect(client, target);
                    try (Fd accepted = Sockets.accept(listener, 0); Arena arena = Arena.ofConfined()) {
                        for (ProxyHeader.Version version : ProxyHeader.Version.values()) {
                            MemorySegment out = arena.allocate(ProxyHeader.V2_MAX_LENGTH);
                            long length = ProxyHeader.writeStreamHeader(version, accepted.fd(),
                                    arena.allocate(ProxyHeader.SCRATCH_SIZE, 8), out);
                            ProxyHeader typed = ProxyHeader.of(version, Sockets.peerAddress(accepted.fd()),
                                    Sockets.localAddress(accepted.fd()));
                            assertThat(out.asSlice(0, length).toArray(ValueLayout.JAVA_BYTE))
                                    .as("%s %s", version, listenOn[i]).isEqualTo(typed.toByteArray());
                        }
                    }
                }
            }
        }
    }

    @Test
    void aSocketWithoutAPeerGivesTheErrno() throws Exception {
        try (Fd unconnected = Sockets.socket(SockAddr.AF_INET, Sockets.SOCK_STREAM, 0); Arena arena = Arena.ofConfined()) {
            assertThat(ProxyHeader.writeStreamHeader(ProxyHeader.Version.V2, unconnected.fd(),
                    arena.allocate(ProxyHeader.SCRATCH_SIZE, 8), arena.allocate(ProxyHeader.V2_MAX_LENGTH)))
                    .isEqualTo(-dev.sockact.posix.Errno.ENOTCONN.number());
        }
    }

    private static String ascii(ProxyHeader h) {
        return new String(h.toByteArray(), java.nio.charset.StandardCharsets.US_ASCII);
    }

    private static String hex(ProxyHeader h) {
        return HexFormat.of().formatHex(h.toByteArray());
    }

    private static SockAddr.In4 in4(String address, int port) {
        try {
            return new SockAddr.In4((Inet4Address) InetAddress.getByName(address), port);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private static Inet6Address in6(String address) {
        try {
            return Inet6Address.getByAddress(null, InetAddress.getByName(address).getAddress().length == 4
                    ? mapped(InetAddress.getByName(address).getAddress()) : InetAddress.getByName(address).getAddress(), -1);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private static byte[] mapped(byte[] v4) {
        byte[] b = new byte[16];
        b[10] = (byte) 0xff;
        b[11] = (byte) 0xff;
        System.arraycopy(v4, 0, b, 12, 4);
        return b;
    }
}
