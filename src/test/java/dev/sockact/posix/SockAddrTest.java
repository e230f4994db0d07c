package dev.sockact.posix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Addresses encoded by us, bound by the kernel and decoded back from
 * getsockname/getpeername; and their text, which is systemd's.
 */
class SockAddrTest {
    @TempDir
    Path temp;

    private static SockAddr boundName(SockAddr address, int type) throws ErrnoException {
        try (Fd fd = Sockets.socket(address.family(), type, 0)) {
            Sockets.bind(fd, address);
            return Sockets.localAddress(fd.fd());
        }
    }

    @Test
    void ipv4RoundTripsWithTheKernelsPort() throws IOException {
        Inet4Address loopback = (Inet4Address) InetAddress.getByName("127.0.0.1");
        SockAddr bound = boundName(new SockAddr.In4(loopback, 0), Sockets.SOCK_STREAM);

        assertThat(bound).isInstanceOfSatisfying(SockAddr.In4.class, a -> {
            assertThat(a.address()).isEqualTo(loopback);
            assertThat(a.port()).isBetween(1, 65535);
            assertThat(a).hasToString("127.0.0.1:" + a.port());
        });
        assertThat(bound.family()).isEqualTo(SockAddr.AF_INET);
    }

    @Test
    void ipv6RoundTripsAndPrintsCompressedInBrackets() throws IOException {
        assumeThat(Files.readString(Path.of("/proc/net/if_inet6"))).as("IPv6 loopback").contains("00000000000000000000000000000001");
        Inet6Address loopback = (Inet6Address) InetAddress.getByName("::1");
        SockAddr bound = boundName(new SockAddr.In6(loopback, 0, 0), Sockets.SOCK_STREAM);

        assertThat(bound).isInstanceOfSatisfying(SockAddr.In6.class, a -> {
            assertThat(a.address()).isEqualTo(loopback);
            assertThat(a.scopeId()).isZero();
            assertThat(a).hasToString("[::1]:" + a.port());
        });
    }

    @Test
    void ipv6UdpBindAndPeerOfAConnection() throws IOException {
        assumeThat(Files.readString(Path.of("/proc/net/if_inet6"))).contains("00000000000000000000000000000001");
        Inet6Address loopback = (Inet6Address) InetAddress.getByName("::1");
        try (Fd listener = Sockets.socket(SockAddr.AF_INET6, Sockets.SOCK_STREAM, 0);
             Fd client = Sockets.socket(SockAddr.AF_INET6, Sockets.SOCK_STREAM, 0)) {
            Sockets.bind(listener, new SockAddr.In6(loopback, 0, 0));
            Sockets.listen(listener, 1);
            SockAddr server = Sockets.localAddress(listener.fd());
            Sockets.connect(client, server);
            try (Fd accepted = Sockets.accept(listener, 0)) {
                assertThat(Sockets.peerAddress(client.fd())).isEqualTo(server);
                assertThat(Sockets.peerAddress(accepted.fd())).isEqualTo(Sockets.localAddress(client.fd()));
            }
        }
    }

    @Test
    void unixPathRoundTrips() throws ErrnoException {
        String path = temp.resolve("s.sock").toString();
        assertThat(boundName(new SockAddr.UnixPath(path), Sockets.SOCK_STREAM))
                .isEqualTo(new SockAddr.UnixPath(path))
                .hasToString(path);
        assertThat(Files.exists(Path.of(path))).isTrue();
    }

    @Test
    void abstractNameRoundTripsAndPrintsWithAt() throws ErrnoException {
        String name = "sockact-test-" + UUID.randomUUID();
        assertThat(boundName(new SockAddr.UnixAbstract(name), Sockets.SOCK_SEQPACKET))
                .isEqualTo(new SockAddr.UnixAbstract(name))
                .hasToString("@" + name);
    }

    @Test
    void socketPairEndsAreUnnamed() throws ErrnoException {
        Fd[] pair = Sockets.socketPair(Sockets.SOCK_STREAM);
        try (Fd a = pair[0]; Fd b = pair[1]) {
            assertThat(Sockets.peerAddress(a.fd())).isInstanceOf(SockAddr.UnixUnnamed.class);
            assertThat(Sockets.localAddress(b.fd())).isInstanceOf(SockAddr.UnixUnnamed.class);
        }
    }

    @Test
    void textForms() throws IOException {
        Inet6Address any = Inet6Address.getByAddress(null, new byte[16], -1);
        assertThat(new SockAddr.In6(any, 8080, 0)).hasToString("[::]:8080");
        assertThat(new SockAddr.In6((Inet6Address) InetAddress.getByName("2001:db8:0:0:1:0:0:1"), 80, 0))
                .hasToString("[2001:db8::1:0:0:1]:80");
        assertThat(new SockAddr.In6((Inet6Address) InetAddress.getByName("fe80:0:0:0:0:0:0:1"), 87, 0))
                .hasToString("[fe80::1]:87");
        assertThat(new SockAddr.In6((Inet6Address) InetAddress.getByName("::1"), 80, 0)).hasToString("[::1]:80");
        assertThat(new SockAddr.In4((Inet4Address) InetAddress.getByName("0.0.0.0"), 80)).hasToString("0.0.0.0:80");
        assertThat(new SockAddr.UnixAbstract("name")).hasToString("@name");
        assertThat(new SockAddr.UnixPath("/run/foo.sock")).hasToString("/run/foo.sock");
        assertThat(new SockAddr.Vsock(2, 1234)).hasToString("vsock:2:1234");
        assertThat(new SockAddr.Vsock(-1, 1234)).hasToString("vsock::1234");
    }

    @Test
    void ipv6ScopeIsPrintedAfterThePortByInterfaceName() throws IOException {
        NetworkInterface lo = NetworkInterface.getByName("lo");
        assumeThat(lo).isNotNull();
        Inet6Address linkLocal = (Inet6Address) InetAddress.getByName("fe80::1");
        assertThat(new SockAddr.In6(linkLocal, 87, lo.getIndex())).hasToString("[fe80::1]:87%lo");
        assertThat(new SockAddr.In6(linkLocal, 87, 999_999)).hasToString("[fe80::1]:87%999999");
    }

    @Test
    void ipv4MappedIpv6StaysIpv6() throws IOException {
        Inet6Address mapped = Inet6Address.getByAddress(null,
                new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 127, 0, 0, 1}, -1);
        assertThat(new SockAddr.In6(mapped, 80, 0)).hasToString("[::ffff:127.0.0.1]:80");
    }

    @Test
    void invalidValuesAreRefused() {
        assertThatThrownBy(() -> new SockAddr.UnixPath("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SockAddr.UnixPath("/" + "x".repeat(SockAddr.UNIX_PATH_MAX)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SockAddr.In4((Inet4Address) InetAddress.getByName("127.0.0.1"), 65536))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
