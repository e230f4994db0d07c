package dev.sockact.activation;

import dev.sockact.posix.Fd;
import dev.sockact.posix.SockAddr;
import dev.sockact.posix.Sockets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.abort;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Real loopback and UNIX connections through {@link ConnectionAcceptor}: naming, REMOTE_*, slots. */
class ConnectionAcceptorTest {
    @TempDir
    Path dir;

    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open.reversed()) {
            c.close();
        }
    }

    private Fd listen(SockAddr address) throws IOException {
        Fd fd = ListenSockets.open(address, ListenSockets.Options.activateDefaults(Sockets.SOCK_STREAM));
        open.add(fd);
        return fd;
    }

    private Socket client(String from, String to, int port) throws IOException {
        Socket s = new Socket();
        open.add(s);
        if (from != null) {
            s.bind(new InetSocketAddress(from, 0));
        }
        s.connect(new InetSocketAddress(to, port), 10_000);
        return s;
    }

    private ConnectionAcceptor.Connection accept(ConnectionAcceptor acceptor, Fd listener) throws IOException {
        ConnectionAcceptor.Connection c = acceptor.accept(listener);
        assertThat(c).isNotNull();
        open.add(c);
        return c;
    }

    private static int port(Fd listener) throws IOException {
        return switch (Sockets.localAddress(listener.fd())) {
            case SockAddr.In4 a -> a.port();
            case SockAddr.In6 a -> a.port();
            default -> throw new AssertionError();
        };
    }

    @Test
    void ipv4InstanceAndRemoteEnvironment() throws Exception {
        Fd listener = listen(new SockAddr.In4((Inet4Address) InetAddress.getByName("127.0.0.1"), 0));
        int port = port(listener);
        Socket s = client(null, "127.0.0.1", port);
        ConnectionAcceptor.Connection c = accept(ConnectionAcceptor.unlimited(), listener);
        assertThat(c.instance(7)).isEqualTo("7-127.0.0.1:" + port + "-127.0.0.1:" + s.getLocalPort());
        assertThat(c.remoteEnvironment()).isEqualTo(Map.of("REMOTE_ADDR", "127.0.0.1",
                "REMOTE_PORT", Integer.toString(s.getLocalPort())));
        assertThat(c.sourceText()).isEqualTo("127.0.0.1");
    }

    @Test
    void ipv6InstanceHasNoBracketsAndAV4MappedPairIsIpv4() throws Exception {
        Fd listener;
        try {
            listener = listen(new SockAddr.In6((Inet6Address) InetAddress.getByName("::"), 0, 0));
        } catch (IOException e) {
            assumeTrue(false, "no IPv6: " + e.getMessage());
            return;
        }
        int port = port(listener);
        ConnectionAcceptor acceptor = ConnectionAcceptor.unlimited();
        Socket v4 = client(null, "127.0.0.1", port);
        ConnectionAcceptor.Connection mapped = accept(acceptor, listener);
        assertThat(mapped.instance(1)).isEqualTo("1-127.0.0.1:" + port + "-127.0.0.1:" + v4.getLocalPort());
        assertThat(mapped.remoteEnvironment()).containsEntry("REMOTE_ADDR", "127.0.0.1");
        assertThat(mapped.sourceKey()).isEqualTo("6:::ffff:127.0.0.1");   // v4-mapped counts as IPv6, as in systemd
        assertThat(mapped.sourceText()).isEqualTo("127.0.0.1");

        // Last, so that without ::1 the test is reported skipped after the v4-mapped half ran.
        Socket v6;
        try {
            v6 = client(null, "::1", port);
        } catch (ConnectException | NoRouteToHostException e) {
            v6 = abort("no ::1 on this machine, the ::1 half is skipped: " + e.getMessage());
        }
        ConnectionAcceptor.Connection c = accept(acceptor, listener);
        assertThat(c.instance(0)).isEqualTo("0-::1:" + port + "-::1:" + v6.getLocalPort());
        assertThat(c.remoteEnvironment()).containsEntry("REMOTE_ADDR", "::1");
    }

    @Test
    void unixPeerIsPidAndUidWithoutRemoteEnvironment() throws Exception {
        Path path = dir.resolve("a.sock");
        Fd listener = listen(new SockAddr.UnixPath(path.toString()));
        SocketChannel client = SocketChannel.open(StandardProtocolFamily.UNIX);
        open.add(client);
        client.connect(UnixDomainSocketAddress.of(path));
        ConnectionAcceptor.Connection c = accept(ConnectionAcceptor.unlimited(), listener);
        int uid = (Integer) Files.getAttribute(dir, "unix:uid");
        assertThat(c.instance(3)).isEqualTo("3-" + ProcessHandle.current().pid() + "-" + uid);
        assertThat(c.remoteEnvironment()).isEmpty();
        assertThat(c.sourceText()).isEqualTo("UID " + uid);
    }

    @Test
    void maxConnectionsRefusesUntilASlotComesBackAndReportsOncePerBurst() throws Exception {
        Fd listener = listen(new SockAddr.In4((Inet4Address) InetAddress.getByName("127.0.0.1"), 0));
        int port = port(listener);
        ConnectionAcceptor acceptor = new ConnectionAcceptor(2, 0);
        List<ConnectionAcceptor.Connection> cs = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            client(null, "127.0.0.1", port);
            cs.add(accept(acceptor, listener));
        }
        assertThat(acceptor.admit(cs.get(0))).isNull();
        assertThat(acceptor.admit(cs.get(1))).isNull();
        ConnectionAcceptor.Refusal first = acceptor.admit(cs.get(2));
        assertThat(first.message()).isEqualTo("Too many incoming connections (2), dropping connection.");
        assertThat(first.report()).isTrue();
        assertThat(acceptor.admit(cs.get(3)).report()).isFalse();
        assertThat(acceptor.connected()).isEqualTo(2);

        acceptor.release(cs.get(0));
        acceptor.release(cs.get(0));   // once only
        acceptor.release(cs.get(2));   // never admitted: holds no slot
        assertThat(acceptor.connected()).isEqualTo(1);
        assertThat(acceptor.admit(cs.get(4))).isNull();
        assertThat(acceptor.admit(cs.get(3)).report()).isTrue();   // a new burst
        acceptor.release(cs.get(1));
        acceptor.release(cs.get(4));
        assertThat(acceptor.connected()).isZero();
    }

    @Test
    void maxConnectionsPerSourceCountsEachAddressOnItsOwn() throws Exception {
        Fd listener = listen(new SockAddr.In4((Inet4Address) InetAddress.getByName("127.0.0.1"), 0));
        int port = port(listener);
        ConnectionAcceptor acceptor = new ConnectionAcceptor(64, 1);
        List<ConnectionAcceptor.Connection> cs = new ArrayList<>();
        for (String from : List.of("127.0.0.1", "127.0.0.2", "127.0.0.1", "127.0.0.2")) {
            client(from, "127.0.0.1", port);
            cs.add(accept(acceptor, listener));
        }
        assertThat(acceptor.admit(cs.get(0))).isNull();
        assertThat(acceptor.admit(cs.get(1))).isNull();
        assertThat(acceptor.admit(cs.get(2)).message())
                .isEqualTo("Too many incoming connections (2) from source 127.0.0.1, dropping connection.");
        assertThat(acceptor.admit(cs.get(3)).message())
                .isEqualTo("Too many incoming connections (2) from source 127.0.0.2, dropping connection.");
        acceptor.release(cs.get(1));
        assertThat(acceptor.connectedFrom("4:127.0.0.2")).isZero();
        assertThat(acceptor.admit(cs.get(3))).isNull();
        assertThat(acceptor.connectedFrom("4:127.0.0.1")).isEqualTo(1);
    }
}
