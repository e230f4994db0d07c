package dev.sockact.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sockact.posix.DatagramMessage;
import dev.sockact.posix.Epoll;
import dev.sockact.posix.Errno;
import dev.sockact.posix.ErrnoException;
import dev.sockact.posix.Fd;
import dev.sockact.posix.Io;
import dev.sockact.posix.SockAddr;
import dev.sockact.posix.Sockets;
import dev.sockact.proxy.ProxyProcess.Activator;
import dev.sockact.proxy.ProxyProcess.Proxyd;
import dev.sockact.testing.ThreadStates;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Datagrams through socket-proxyd, real UDP and UNIX datagram sockets: one session per client (the backend sees one
 * peer per client, each client gets only its own replies), replies from the address the client wrote to on a
 * wildcard listener, session expiry, the session bound, and the messages for bad command lines.
 * systemd-socket-proxyd refuses datagram sockets, so there is nothing of it to compare with but that refusal.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ProxyDatagramIT extends ProxyTestBase {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    /** Answers every datagram with "PAYLOAD|SENDER" (the sender as the backend saw it): a client can check both. */
    private static final class EchoBackend implements AutoCloseable {
        final DatagramChannel channel;
        final Set<String> peers = ConcurrentHashMap.newKeySet();
        private final Thread thread;

        EchoBackend(DatagramChannel channel) {
            this.channel = channel;
            thread = Thread.ofPlatform().daemon().start(this::serve);
        }

        static EchoBackend udp() throws IOException {
            DatagramChannel c = DatagramChannel.open(StandardProtocolFamily.INET);
            c.bind(new InetSocketAddress(LOOPBACK, 0));
            return new EchoBackend(c);
        }

        String target() {
            try {
                SocketAddress a = channel.getLocalAddress();
                return a instanceof InetSocketAddress in ? "127.0.0.1:" + in.getPort() : a.toString();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private void serve() {
            ByteBuffer buffer = ByteBuffer.allocate(65536);
            try {
                while (true) {
                    buffer.clear();
                    SocketAddress from = channel.receive(buffer);
                    buffer.flip();
                    String text = StandardCharsets.UTF_8.decode(buffer) + "|" + from;
                    peers.add(String.valueOf(from));
                    channel.send(StandardCharsets.UTF_8.encode(text), from);
                }
            } catch (IOException e) {
                // closed
            }
        }

        @Override
        public void close() throws IOException {
            channel.close();
            thread.interrupt();
        }
    }

    /** A UDP client socket with a receive timeout: a missing reply fails the test instead of hanging. */
    private DatagramSocket client() throws IOException {
        DatagramSocket s = keep(new DatagramSocket(new InetSocketAddress(LOOPBACK, 0)));
        s.setSoTimeout((int) ProxyProcess.DEADLINE.toMillis());
        return s;
    }

    private record Reply(String payload, String seenBy, InetSocketAddress from) {
    }

    private static Reply exchange(DatagramSocket socket, String payload, InetSocketAddress to) throws IOException {
        byte[] bytes = payload.getBytes(StandardCharsets.UTF_8);
        socket.send(new java.net.DatagramPacket(bytes, bytes.length, to));
        return receive(socket);
    }

    private static Reply receive(DatagramSocket socket) throws IOException {
        java.net.DatagramPacket packet = new java.net.DatagramPacket(new byte[65536], 65536);
        socket.receive(packet);
        String text = new String(packet.getData(), 0, packet.getLength(), StandardCharsets.UTF_8);
        int bar = text.lastIndexOf('|');
        return new Reply(text.substring(0, bar), text.substring(bar + 1), (InetSocketAddress) packet.getSocketAddress());
    }

    /** Our proxy under a socket-activating parent's datagram socket ({@code -d -l 127.0.0.1:PORT}). */
    private ProxyProcess underActivator(Activator activator, int port, String... arguments) {
        List<String> args = new ArrayList<>(List.of(arguments));
        return keep(ProxyProcess.activated(dir, activator, List.of("-d", "-l", "127.0.0.1:" + port), Proxyd.SOCKACT,
                args));
    }

    @ParameterizedTest
    @EnumSource(names = {"SOCKACT", "SYSTEMD"})
    void manyClientsAtOnceEachGetOnlyTheirOwnReplies(Activator activator) throws Exception {
        EchoBackend backend = keep(EchoBackend.udp());
        int port = ProxyProcess.freePort();
        ProxyProcess proxy = underActivator(activator, port, backend.target());
        assertEachClientGetsOnlyItsOwnReplies(proxy, port, backend);
    }

    /**
     * A --listen-datagram= socket with --threads=4 is an SO_REUSEPORT group of four sockets, one per loop (read
     * back from /proc/net/udp); the kernel keeps each client on one of them, so each still has one session.
     */
    @Test
    void aListenDatagramSocketIsSpreadOverTheLoopsAndEachClientKeepsOneSession() throws Exception {
        EchoBackend backend = keep(EchoBackend.udp());
        int port = ProxyProcess.freePort();
        ProxyProcess proxy = keep(ProxyProcess.start(dir, List.of(ProxyProcess.OUR_PROXYD,
                "--listen-datagram=127.0.0.1:" + port, "--threads=4", backend.target())));
        proxy.awaitCondition(() -> udpSocketsBoundTo(port) == 4, "four sockets bound to port " + port);
        assertEachClientGetsOnlyItsOwnReplies(proxy, port, backend);
        assertThat(udpSocketsBoundTo(port)).isEqualTo(4);
    }

    /**
     * Busy polling (on by default) ends with the traffic: after a stream of round trips that keeps both loops
     * polling, every thread of the proxy is asleep (state S in /proc), none left spinning on a CPU.
     */
    @Test
    void aProxyWhoseTrafficStoppedPollsNoMore() throws Exception {
        EchoBackend backend = keep(EchoBackend.udp());
        int port = ProxyProcess.freePort();
        ProxyProcess proxy = keep(ProxyProcess.start(dir, List.of(ProxyProcess.OUR_PROXYD,
                "--listen-datagram=127.0.0.1:" + port, "--threads=2", backend.target())));
        InetSocketAddress proxyAddress = new InetSocketAddress(LOOPBACK, port);
        DatagramSocket socket = client();
        awaitReply(proxy, socket, "first", proxyAddress);
        for (int i = 0; i < 500; i++) {
            assertThat(exchange(socket, "ping " + i, proxyAddress).payload()).isEqualTo("ping " + i);
        }
        proxy.awaitCondition(() -> ThreadStates.of(proxy.pid()).values().stream().allMatch(t -> t.state() == 'S'),
                "every thread of the proxy asleep (S in /proc/PID/task/*/stat)");
    }

    /** Sockets in /proc/net/udp whose local port is {@code port}. */
    private static long udpSocketsBoundTo(int port) {
        String local = String.format(":%04X ", port);
        try (var lines = java.nio.file.Files.lines(Path.of("/proc/net/udp"))) {
            return lines.skip(1).map(String::trim).filter(l -> l.split("\\s+")[1].endsWith(local.trim())).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void assertEachClientGetsOnlyItsOwnReplies(ProxyProcess proxy, int port, EchoBackend backend)
            throws Exception {
        InetSocketAddress proxyAddress = new InetSocketAddress(LOOPBACK, port);
        int clients = 64;
        int rounds = 20;
        List<DatagramSocket> sockets = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            sockets.add(client());
        }
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Set<String>>> results = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                DatagramSocket socket = sockets.get(i);
                String id = "client-" + i;
                results.add(pool.submit(() -> {
                    Set<String> seenBy = new java.util.HashSet<>();
                    for (int r = 0; r < rounds; r++) {
                        Reply reply = exchange(socket, id + "-" + r, proxyAddress);
                        assertThat(reply.payload()).as("reply to %s; log:%n%s", id, proxy.log()).isEqualTo(id + "-" + r);
                        assertThat(reply.from()).isEqualTo(proxyAddress);
                        seenBy.add(reply.seenBy());
                    }
                    return seenBy;
                }));
            }
            Set<String> all = new java.util.HashSet<>();
            for (Future<Set<String>> result : results) {
                Set<String> seenBy = result.get();
                assertThat(seenBy).as("one peer per client at the backend").hasSize(1);
                all.addAll(seenBy);
            }
            assertThat(all).as("a different peer for each client").hasSize(clients);
            assertThat(backend.peers).hasSize(clients);
        }
    }

    @Test
    void aWildcardListenerAnswersFromTheAddressTheClientWroteTo() throws Exception {
        EchoBackend backend = keep(EchoBackend.udp());
        int port = ProxyProcess.freePort();
        int port6 = ProxyProcess.freePort();
        keep(ProxyProcess.activated(dir, Activator.SOCKACT, List.of("-d", "-l", "0.0.0.0:" + port), Proxyd.SOCKACT,
                List.of("--listen-datagram=[::]:" + port6, backend.target())));
        for (int p : new int[] {port, port6}) {
            for (String local : new String[] {"127.0.0.1", "127.0.0.2"}) {
                DatagramSocket socket = client();
                InetSocketAddress to = new InetSocketAddress(InetAddress.getByName(local), p);
                Reply reply = exchange(socket, "hello", to);
                assertThat(reply.payload()).isEqualTo("hello");
                assertThat(reply.from()).as("reply to a datagram sent to %s", to).isEqualTo(to);
            }
        }
        DatagramSocket six = keep(new DatagramSocket(new InetSocketAddress(InetAddress.getByName("::1"), 0)));
        six.setSoTimeout((int) ProxyProcess.DEADLINE.toMillis());
        InetSocketAddress to6 = new InetSocketAddress(InetAddress.getByName("::1"), port6);
        assertThat(exchange(six, "over ipv6", to6).from()).isEqualTo(to6);
    }

    /**
     * Replies that go out together (one sendmmsg for those read in the same round) keep each its own client and
     * source: many clients at once, half of them writing to 127.0.0.1 and half to 127.0.0.2 of a wildcard listener.
     */
    @Test
    void repliesSentTogetherEachGoToTheirClientFromTheAddressItWroteTo() throws Exception {
        EchoBackend backend = keep(EchoBackend.udp());
        int port = ProxyProcess.freePort();
        ProxyProcess proxy = keep(ProxyProcess.start(dir, List.of(ProxyProcess.OUR_PROXYD,
                "--listen-datagram=0.0.0.0:" + port, backend.target())));
        DatagramSocket probe = client();
        probe.setSoTimeout(200);
        proxy.awaitCondition(() -> {
            try {
                return exchange(probe, "probe", new InetSocketAddress(LOOPBACK, port)).payload().equals("probe");
            } catch (IOException e) {
                return false;   // not bound yet: the datagram was dropped
            }
        }, "the proxy to serve port " + port);
        int clients = 32;
        int rounds = 50;
        List<DatagramSocket> sockets = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            sockets.add(client());
        }
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> results = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                DatagramSocket socket = sockets.get(i);
                String id = "client-" + i;
                InetSocketAddress to = new InetSocketAddress(InetAddress.getByName(i % 2 == 0 ? "127.0.0.1" : "127.0.0.2"),
                        port);
                results.add(pool.submit(() -> {
                    for (int r = 0; r < rounds; r++) {
                        Reply reply = exchangeExpecting(socket, id + "-" + r, to);
                        assertThat(reply.from()).as("the reply to %s; log:%n%s", id, proxy.log()).isEqualTo(to);
                    }
                    return null;
                }));
            }
            for (Future<?> result : results) {
                result.get();
            }
        }
        assertThat(backend.peers).hasSize(clients + 1);
    }

    @Test
    void aSessionEndsAfterTheIdleTimeAndTheNextDatagramOpensANewOne() throws Exception {
        EchoBackend backend = keep(EchoBackend.udp());
        int port = ProxyProcess.freePort();
        ProxyProcess proxy = keep(ProxyProcess.start(dir, Map.of("SOCKACT_LOG_LEVEL", "debug"), List.of(
                ProxyProcess.OUR_PROXYD, "--listen-datagram=127.0.0.1:" + port, "--connection-idle-time=1s",
                backend.target())));
        InetSocketAddress proxyAddress = new InetSocketAddress(LOOPBACK, port);
        DatagramSocket socket = client();
        String firstPeer = awaitReply(proxy, socket, "first", proxyAddress).seenBy();
        proxy.awaitLog("idle for 1000 ms, closed.");
        Reply again = exchangeExpecting(socket, "again", proxyAddress);
        assertThat(again.seenBy()).as("a new session, a new socket towards the backend").isNotEqualTo(firstPeer);
        assertThat(backend.peers).hasSize(2);
    }

    /** Sends {@code payload} until its reply comes: the proxy's own socket may not be bound yet. */
    private static Reply awaitReply(ProxyProcess proxy, DatagramSocket socket, String payload, InetSocketAddress to)
            throws IOException {
        Reply[] reply = new Reply[1];
        socket.setSoTimeout(200);
        proxy.awaitCondition(() -> {
            try {
                reply[0] = exchangeExpecting(socket, payload, to);
                return true;
            } catch (IOException e) {
                return false;
            }
        }, "a reply through the proxy");
        socket.setSoTimeout((int) ProxyProcess.DEADLINE.toMillis());
        return reply[0];
    }

    /** Sends {@code payload} and reads replies until its own (replies to earlier sends are skipped). */
    private static Reply exchangeExpecting(DatagramSocket socket, String payload, InetSocketAddress to)
            throws IOException {
        Reply reply = exchange(socket, payload, to);
        while (!reply.payload().equals(payload)) {
            reply = receive(socket);
        }
        return reply;
    }

    @Test
    void aNewClientAtTheBoundIsDroppedLoggedOnceAndServedOnceASessionEnds() throws Exception {
        EchoBackend backend = keep(EchoBackend.udp());
        int port = ProxyProcess.freePort();
        ProxyProcess proxy = underActivator(Activator.SOCKACT, port, "-c", "2", "--connection-idle-time=2s",
                backend.target());
        InetSocketAddress proxyAddress = new InetSocketAddress(LOOPBACK, port);
        DatagramSocket a = client();
        DatagramSocket b = client();
        assertThat(exchange(a, "a", proxyAddress).payload()).isEqualTo("a");
        assertThat(exchange(b, "b", proxyAddress).payload()).isEqualTo("b");
        DatagramSocket c = client();
        byte[] bytes = "c".getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < 3; i++) {
            c.send(new java.net.DatagramPacket(bytes, bytes.length, proxyAddress));
        }
        String line = "Hit connection limit (2), dropping datagrams of new clients until a session ends (first: 127.0.0.1:"
                + c.getLocalPort() + ").";
        proxy.awaitLog(line);
        assertThat(proxy.logCount("Hit connection limit")).as("logged once; log:%n%s", proxy.log()).isEqualTo(1);
        assertThat(backend.peers).as("the third client never reached the backend").hasSize(2);
        // Once a and b have been idle for 2 s their sessions end, and c is served.
        c.setSoTimeout(500);
        proxy.awaitCondition(() -> {
            try {
                c.send(new java.net.DatagramPacket(bytes, bytes.length, proxyAddress));
                return receive(c).payload().equals("c");
            } catch (IOException e) {
                return false;
            }
        }, "the third client to be served once a session ended");
        assertThat(backend.peers).hasSize(3);
    }

    @Test
    void unixDatagramClientsGetTheirRepliesAtTheirBoundPath() throws Exception {
        Path backendPath = dir.resolve("backend.sock");
        Fd backend = keep(unixDatagramSocket(backendPath));
        Thread.ofPlatform().daemon().start(() -> unixEcho(backend));
        Path proxyPath = dir.resolve("proxy.sock");
        ProxyProcess proxy = keep(ProxyProcess.start(dir, List.of(ProxyProcess.OUR_PROXYD,
                "--listen-datagram=" + proxyPath, backendPath.toString())));
        // The node exists once bound, and the proxy serves from then on.
        proxy.awaitCondition(() -> proxyPath.toFile().exists(), "the proxy's socket");
        for (int i = 0; i < 3; i++) {
            try (Fd c = unixDatagramSocket(dir.resolve("client" + i + ".sock"));
                 Arena arena = Arena.ofConfined()) {
                receiveTimeout(c, arena);
                Sockets.sendTo(c, ("unix " + i).getBytes(StandardCharsets.UTF_8), new SockAddr.UnixPath(proxyPath.toString()));
                MemorySegment buffer = arena.allocate(1024);
                long n = Io.readRaw(c.fd(), buffer, 1024);
                assertThat(n).as("reply; log:%n%s", proxy.log()).isPositive();
                String text = new String(buffer.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
                assertThat(text).startsWith("unix " + i + "|@");   // the proxy's session socket is autobound
            }
        }
    }

    /**
     * A client that did not bind has a 0-byte name: its datagrams are forwarded, under PROXY v2 with an AF_UNIX header
     * whose source is empty. This was once lost when it came first (the name was decoded from bytes never written).
     */
    @Test
    void anUnboundUnixClientIsForwardedWithAProxyV2Header() throws Exception {
        Path backendPath = dir.resolve("backend.sock");
        Fd backend = keep(unixDatagramSocket(backendPath));
        Path proxyPath = dir.resolve("proxy.sock");
        ProxyProcess proxy = keep(ProxyProcess.start(dir, List.of(ProxyProcess.OUR_PROXYD,
                "--listen-datagram=" + proxyPath, "--proxy-protocol=v2", backendPath.toString())));
        proxy.awaitCondition(() -> proxyPath.toFile().exists(), "the proxy's socket");
        try (Fd c = Sockets.socket(SockAddr.AF_UNIX, Sockets.SOCK_DGRAM, 0); Arena arena = Arena.ofConfined()) {
            receiveTimeout(backend, arena);
            Sockets.sendTo(c, "hello".getBytes(StandardCharsets.UTF_8), new SockAddr.UnixPath(proxyPath.toString()));
            MemorySegment buffer = arena.allocate(1024);
            long n = Io.readRaw(backend.fd(), buffer, 1024);
            assertThat(n).as("the datagram reached the backend; log:%n%s", proxy.log()).isPositive();
            byte[] datagram = buffer.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE);
            assertThat(java.util.Arrays.copyOf(datagram, 12)).as("the v2 signature")
                    .isEqualTo(new byte[] {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A});
            assertThat(datagram[12]).as("PROXY").isEqualTo((byte) 0x21);
            assertThat(datagram[13]).as("AF_UNIX, DGRAM").isEqualTo((byte) 0x32);
            int length = ((datagram[14] & 0xff) << 8) | (datagram[15] & 0xff);
            assertThat(datagram[16]).as("an empty source path").isZero();
            assertThat(new String(datagram, 16 + length, datagram.length - 16 - length, StandardCharsets.UTF_8))
                    .isEqualTo("hello");
        }
        assertThat(proxy.log()).doesNotContain("Exception");
    }

    private static Fd unixDatagramSocket(Path path) throws ErrnoException {
        Fd fd = Sockets.socket(SockAddr.AF_UNIX, Sockets.SOCK_DGRAM, 0);
        Sockets.bind(fd, new SockAddr.UnixPath(path.toString()));
        return fd;
    }

    /** SO_RCVTIMEO: a missing reply fails the test instead of hanging it. */
    private static void receiveTimeout(Fd fd, Arena arena) throws ErrnoException {
        MemorySegment timeval = arena.allocate(16);
        timeval.set(ValueLayout.JAVA_LONG, 0, ProxyProcess.DEADLINE.toSeconds());
        Sockets.setOption(fd.fd(), Sockets.SOL_SOCKET, 20 /* SO_RCVTIMEO */, timeval);
    }

    /** Answers "PAYLOAD|SENDER" to every datagram on a UNIX datagram socket, with recvmmsg and sendmsg. */
    private static void unixEcho(Fd fd) {
        DatagramMessage message = DatagramMessage.allocate(Arena.ofAuto());
        MemorySegment buffers = Arena.ofAuto().allocate(65536L * DatagramMessage.BATCH);
        MemorySegment reply = Arena.ofAuto().allocate(65536 + 256);
        try (Epoll epoll = Epoll.create(1)) {
            epoll.add(fd.fd(), Epoll.EPOLLIN, 1);
            while (true) {
                int n = message.receive(fd.fd(), buffers, 65536, DatagramMessage.BATCH);
                if (n == -Errno.EAGAIN.number()) {
                    epoll.await(-1);   // receive does not wait
                    continue;
                }
                if (n < 0) {
                    return;   // closed
                }
                for (int i = 0; i < n; i++) {
                    message.select(i);
                    byte[] text = (new String(buffers.asSlice(65536L * i, message.length())
                            .toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8) + "|" + message.sender())
                            .getBytes(StandardCharsets.UTF_8);
                    MemorySegment.copy(text, 0, reply, ValueLayout.JAVA_BYTE, 0, text.length);
                    message.setBatch(0, reply, 0, text.length, message.name(), message.nameLength(), reply, 0);
                    message.sendBatch(fd.fd(), 0, 1);
                }
            }
        } catch (ErrnoException e) {
            // the socket is gone: the test is over
        }
    }

    @Test
    void badCommandLinesGetClearMessages() {
        int port = ProxyProcess.freePort();
        ProxyProcess bad = ProxyProcess.run(dir, Map.of(), List.of(ProxyProcess.OUR_PROXYD,
                "--listen-datagram=nonsense:address", "127.0.0.1:53"));
        assertThat(bad.awaitExit()).isEqualTo(1);
        assertThat(bad.log()).contains("Failed to parse --listen-datagram= argument: nonsense:address");
        ProxyProcess zero = ProxyProcess.run(dir, Map.of(), List.of(ProxyProcess.OUR_PROXYD,
                "--listen-datagram=127.0.0.1:" + port, "--connection-idle-time=0", "127.0.0.1:53"));
        assertThat(zero.awaitExit()).isEqualTo(1);
        assertThat(zero.log()).contains("Failed to parse --connection-idle-time= argument: 0 (must be more than 0");
        ProxyProcess junk = ProxyProcess.run(dir, Map.of(), List.of(ProxyProcess.OUR_PROXYD,
                "--listen-datagram=127.0.0.1:" + port, "--connection-idle-time=soon", "127.0.0.1:53"));
        assertThat(junk.log()).contains("Failed to parse --connection-idle-time= argument: soon");
    }

    /** A seqpacket socket is still refused with systemd's message, by ours and by systemd's (which refuses UDP too). */
    @ParameterizedTest
    @EnumSource(names = {"SOCKACT", "SYSTEMD"})
    void otherSocketKindsAreRefusedWithSystemdsMessage(Proxyd proxyd) throws Exception {
        Path socket = dir.resolve("seq.sock");
        ProxyProcess proxy = keep(ProxyProcess.activated(dir, Activator.SYSTEMD, List.of("--seqpacket", "-l",
                socket.toString()), proxyd, List.of("127.0.0.1:53")));
        // systemd-socket-activate runs the program on the first connection.
        proxy.awaitCondition(() -> connectSeqpacket(socket), "a seqpacket connection to the activator");
        proxy.awaitLog("Passed in socket is not a stream socket.");
    }

    private static boolean connectSeqpacket(Path path) {
        try {
            var fd = Sockets.socket(SockAddr.AF_UNIX,
                    Sockets.SOCK_SEQPACKET, 0);
            try (fd) {
                Sockets.connect(fd, new SockAddr.UnixPath(path.toString()));
                return true;
            }
        } catch (ErrnoException e) {
            return false;
        }
    }

    /** systemd-socket-proxyd refuses what ours forwards: the difference the docs state. */
    @Test
    void systemdsProxyRefusesADatagramSocket() throws Exception {
        int port = ProxyProcess.freePort();
        ProxyProcess proxy = keep(ProxyProcess.activated(dir, Activator.SYSTEMD, List.of("-d", "-l",
                "127.0.0.1:" + port), Proxyd.SYSTEMD, List.of("127.0.0.1:53")));
        DatagramSocket socket = client();
        socket.send(new java.net.DatagramPacket(new byte[] {1}, 1, new InetSocketAddress(LOOPBACK, port)));
        proxy.awaitLog("Passed in socket is not a stream socket.");
    }

    /**
     * --proxy-protocol=v2: each datagram reaches the target behind its own header, in proxy-protocol.txt's byte
     * layout (section 2.2): the signature, 0x21 (v2, PROXY), 0x12 (AF_INET, DGRAM), the 12-byte length, then the
     * client's address, the address it wrote to (127.0.0.2 on a 0.0.0.0 listener), the two ports.
     */
    @Test
    void proxyProtocolV2PrecedesEachDatagramInTheSpecsLayout() throws Exception {
        DatagramSocket backend = keep(new DatagramSocket(new InetSocketAddress(LOOPBACK, 0)));
        Thread.ofPlatform().daemon().start(() -> rawEcho(backend));
        int port = ProxyProcess.freePort();
        ProxyProcess proxy = keep(ProxyProcess.start(dir, List.of(ProxyProcess.OUR_PROXYD,
                "--listen-datagram=0.0.0.0:" + port, "--proxy-protocol=v2", "127.0.0.1:" + backend.getLocalPort())));
        DatagramSocket socket = client();
        InetSocketAddress to = new InetSocketAddress(InetAddress.getByName("127.0.0.2"), port);
        socket.setSoTimeout(200);
        byte[][] reply = new byte[1][];
        proxy.awaitCondition(() -> {
            try {
                socket.send(new java.net.DatagramPacket(new byte[] {'h', 'i'}, 2, to));
                java.net.DatagramPacket packet = new java.net.DatagramPacket(new byte[65536], 65536);
                socket.receive(packet);
                reply[0] = java.util.Arrays.copyOf(packet.getData(), packet.getLength());
                return true;
            } catch (IOException e) {
                return false;
            }
        }, "a reply through the proxy");
        ByteBuffer expected = ByteBuffer.allocate(16 + 12 + 2)
                .put(new byte[] {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A})
                .put((byte) 0x21).put((byte) 0x12).putShort((short) 12)
                .put(new byte[] {127, 0, 0, 1}).put(new byte[] {127, 0, 0, 2})
                .putShort((short) socket.getLocalPort()).putShort((short) port)
                .put(new byte[] {'h', 'i'});
        assertThat(reply[0]).as("log:%n%s", proxy.log()).isEqualTo(expected.array());
    }

    private static void rawEcho(DatagramSocket socket) {
        java.net.DatagramPacket packet = new java.net.DatagramPacket(new byte[65536], 65536);
        try {
            while (true) {
                packet.setLength(65536);
                socket.receive(packet);
                socket.send(packet);
            }
        } catch (IOException e) {
            // closed
        }
    }

    @Test
    void proxyProtocolV1IsRefusedOnDatagramSockets() {
        int port = ProxyProcess.freePort();
        ProxyProcess listen = ProxyProcess.run(dir, Map.of(), List.of(ProxyProcess.OUR_PROXYD,
                "--listen-datagram=127.0.0.1:" + port, "--proxy-protocol=v1", "127.0.0.1:53"));
        assertThat(listen.awaitExit()).isEqualTo(1);
        assertThat(listen.log()).contains(ProxyArguments.V1_ON_DATAGRAMS);
        ProxyProcess bad = ProxyProcess.run(dir, Map.of(), List.of(ProxyProcess.OUR_PROXYD,
                "--listen-datagram=127.0.0.1:" + port, "--proxy-protocol=v3", "127.0.0.1:53"));
        assertThat(bad.log()).contains("Failed to parse --proxy-protocol= argument: v3 (v1 or v2)");
    }

    /** A passed datagram socket is only known once read: the refusal comes then, with the same message. */
    @Test
    void proxyProtocolV1IsRefusedOnAPassedDatagramSocket() throws Exception {
        int port = ProxyProcess.freePort();
        ProxyProcess proxy = keep(ProxyProcess.activated(dir, Activator.SOCKACT, List.of("-d", "-l",
                "127.0.0.1:" + port), Proxyd.SOCKACT, List.of("--proxy-protocol=v1", "127.0.0.1:53")));
        DatagramSocket socket = client();
        socket.send(new java.net.DatagramPacket(new byte[] {1}, 1, new InetSocketAddress(LOOPBACK, port)));
        proxy.awaitLog(ProxyArguments.V1_ON_DATAGRAMS);
    }
}
