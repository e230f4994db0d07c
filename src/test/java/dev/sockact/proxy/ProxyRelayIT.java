package dev.sockact.proxy;

import static dev.sockact.proxy.ProxyClients.assertRelayed;
import static dev.sockact.proxy.ProxyClients.connect;
import static dev.sockact.proxy.ProxyClients.readUntilClosed;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sockact.proxy.ProxyProcess.Setup;
import dev.sockact.proxy.TestBackends.Backend;
import dev.sockact.testing.Await;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Forwarding through the real proxy process: bulk data, half-close per direction, many connections. */
class ProxyRelayIT extends ProxyTestBase {
    private static final int MIB = 1024 * 1024;

    @ParameterizedTest
    @EnumSource(names = {"OURS_UNDER_SOCKACT", "OURS_UNDER_SYSTEMD"})
    void largeRandomPayloadsBothWaysAreByteExact(Setup setup) throws Exception {
        byte[] up = random(32 * MIB, 1);
        byte[] down = random(32 * MIB, 2);
        CompletableFuture<String> uploadSeen = new CompletableFuture<>();
        Backend backend = keep(TestBackends.tcp(InetAddress.getLoopbackAddress(), connection -> {
            // Read and write at once: neither direction may wait for the other.
            Thread reader = Thread.ofVirtual().start(() -> {
                try {
                    uploadSeen.complete(sha256(TestBackends.readToEof(connection)));
                } catch (IOException e) {
                    uploadSeen.completeExceptionally(e);
                }
            });
            TestBackends.writeFully(connection, ByteBuffer.wrap(down));
            connection.shutdownOutput();
            reader.join();
        }));
        int port = ProxyProcess.freePort();
        ProxyProcess proxy = keep(setup.start(dir, port, backend.target()));

        Socket client = keep(connect(port));
        try (ExecutorService writer = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<?> upload = writer.submit(() -> {
                OutputStream out = client.getOutputStream();
                for (int at = 0; at < up.length; at += MIB) {
                    out.write(up, at, MIB);
                }
                client.shutdownOutput();
                return null;
            });
            ProxyClients.Ending received = readUntilClosed(client);
            upload.get(60, TimeUnit.SECONDS);
            assertThat(received.reset()).as("reset; log:%n%s", proxy.log()).isFalse();
            assertThat(received.data().length).isEqualTo(down.length);
            assertThat(sha256(received.data())).isEqualTo(sha256(down));
        }
        assertThat(uploadSeen.get(60, TimeUnit.SECONDS)).isEqualTo(sha256(up));
    }

    /**
     * The client sends a request and shuts down its write side; the reply comes 1 s later.
     * Ours forwards the FIN and keeps the other direction: the whole reply, then EOF.
     * systemd-socket-proxyd 252 tears the pair down at the client's EOF and loses the reply.
     */
    @ParameterizedTest
    @EnumSource(Setup.class)
    void clientHalfCloseStillGetsTheLateReply(Setup setup) throws Exception {
        byte[] reply = random(300 * 1024, 3);
        CompletableFuture<byte[]> request = new CompletableFuture<>();
        Backend backend = keep(TestBackends.tcp(InetAddress.getLoopbackAddress(),
                TestBackends.replyAfterEof(Duration.ofSeconds(1), reply, request)));
        int port = ProxyProcess.freePort();
        ProxyProcess proxy = keep(setup.start(dir, port, backend.target()));

        Socket client = keep(connect(port));
        client.getOutputStream().write("GET /slow\n".getBytes(StandardCharsets.US_ASCII));
        client.shutdownOutput();
        ProxyClients.Ending ending = readUntilClosed(client);

        if (setup.isSystemdProxy()) {
            assertThat(ending.data()).as("systemd 252 loses the reply after a client half-close").isEmpty();
        } else {
            assertThat(request.get(20, TimeUnit.SECONDS)).asString(StandardCharsets.US_ASCII).isEqualTo("GET /slow\n");
            assertThat(ending.reset()).as("reset; log:%n%s", proxy.log()).isFalse();
            assertThat(sha256(ending.data())).as("reply of %s bytes", ending.data().length).isEqualTo(sha256(reply));
        }
    }

    /**
     * A client half-closes and reads the (large) reply only later. The backend sends it and
     * closes at once, so the proxy sees the target hang up (EPOLLHUP: both directions shut)
     * while the reply still waits in its buffers for the slow client: every byte must arrive.
     */
    @Test
    void halfClosedSlowReaderGetsAllOfALargeReply() throws Exception {
        byte[] reply = random(4 * MIB, 5);
        CompletableFuture<byte[]> request = new CompletableFuture<>();
        CompletableFuture<Void> hungUp = new CompletableFuture<>();
        TestBackends.Handler replyAtEof = TestBackends.replyAfterEof(Duration.ZERO, reply, request);
        Backend backend = keep(TestBackends.tcp(InetAddress.getLoopbackAddress(), connection -> {
            replyAtEof.handle(connection);
            connection.close();
            hungUp.complete(null);
        }));
        int port = ProxyProcess.freePort();
        ProxyProcess proxy = keep(ProxyProcess.activated(dir, port, backend.target()));

        Socket client = keep(connect(port));
        client.getOutputStream().write('?');
        client.shutdownOutput();
        request.get(20, TimeUnit.SECONDS);
        // The whole reply fits in the buffers between backend and client, so the backend sends it and hangs up
        // before the client reads a byte; if the proxy stopped reading from the target, this would time out.
        hungUp.get(20, TimeUnit.SECONDS);
        ProxyClients.Ending ending = readUntilClosed(client);

        assertThat(ending.data().length).as("bytes received; log:%n%s", proxy.log()).isEqualTo(reply.length);
        assertThat(sha256(ending.data())).isEqualTo(sha256(reply));
    }

    /**
     * The backend sends data then FIN: the client gets all of it, then EOF. Ours keeps the
     * client-to-backend direction open, so what the client sends afterwards still arrives;
     * systemd 252 closes both sockets and the backend sees nothing after its FIN. A small reply
     * is copied, and usually reaches the proxy with its FIN: the proxy reads the EOF in the
     * same wake-up and sends the reply with MSG_MORE, then the shutdown. A large one is spliced.
     */
    @ParameterizedTest
    @MethodSource("setupsAndReplySizes")
    void backendHalfCloseKeepsTheOtherDirection(Setup setup, int replySize) throws Exception {
        byte[] data = random(replySize, 4);
        CompletableFuture<byte[]> afterFin = new CompletableFuture<>();
        Backend backend = keep(TestBackends.tcp(InetAddress.getLoopbackAddress(), TestBackends.sendThenFin(data, afterFin)));
        int port = ProxyProcess.freePort();
        ProxyProcess proxy = keep(setup.start(dir, port, backend.target()));

        Socket client = keep(connect(port));
        InputStream in = client.getInputStream();
        assertThat(sha256(in.readNBytes(data.length))).isEqualTo(sha256(data));
        assertThat(in.read()).as("EOF after the backend's data").isEqualTo(-1);

        byte[] late = "sent after the backend's FIN\n".getBytes(StandardCharsets.US_ASCII);
        if (setup.isSystemdProxy()) {
            try {
                client.getOutputStream().write(late);
                client.shutdownOutput();
            } catch (IOException expected) {
                // EPIPE / reset: systemd already closed the connection
            }
            byte[] seen = afterFin.exceptionally(e -> new byte[0]).get(20, TimeUnit.SECONDS);
            assertThat(seen).as("systemd 252 forwards nothing after the backend's FIN").isEmpty();
        } else {
            client.getOutputStream().write(late);
            client.shutdownOutput();
            assertThat(afterFin.get(20, TimeUnit.SECONDS)).as("log:%n%s", proxy.log()).isEqualTo(late);
        }
    }

    static Stream<Arguments> setupsAndReplySizes() {
        return Stream.of(Setup.values()).flatMap(setup -> Stream.of(Arguments.of(setup, 300), Arguments.of(setup, MIB)));
    }

    /**
     * Connections opened in a burst are spread over the loops. The kernel wakes an idle loop
     * for a new connection, and without the hand-over that loop would keep every connection
     * of the burst for as long as it lives. Read from the kernel: the descriptors registered
     * in each loop's epoll instance (/proc/PID/fdinfo).
     */
    @Test
    void connectionsOpenedTogetherAreSpreadOverTheLoops() throws Exception {
        Backend backend = keep(TestBackends.echo());
        int port = ProxyProcess.freePort();
        ProxyProcess proxy = keep(ProxyProcess.activated(dir, port, "--threads=2", backend.target()));
        int connections = 16;
        List<Socket> sockets = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            sockets.add(keep(connect(port)));
        }
        for (Socket s : sockets) {
            assertRelayed(s);
        }
        // Each loop watches the listener, its wake-up eventfd and two sockets per connection.
        List<Integer> perLoop = watchedPerEpoll(proxy).stream().map(watched -> (watched - 2) / 2).toList();
        assertThat(perLoop).as("connections per loop; log:%n%s", proxy.log()).hasSize(2);
        assertThat(perLoop.stream().mapToInt(Integer::intValue).sum()).isEqualTo(connections);
        assertThat(perLoop).allSatisfy(n -> assertThat(n).isBetween(connections / 2 - 2, connections / 2 + 2));
    }

    /** For each epoll instance of the process, the number of descriptors registered in it. */
    private static List<Integer> watchedPerEpoll(ProxyProcess proxy) throws IOException {
        Path proc = Path.of("/proc", Long.toString(proxy.pid()));
        List<Integer> counts = new ArrayList<>();
        try (var fds = Files.list(proc.resolve("fd"))) {
            for (Path fd : fds.toList()) {
                String target;
                try {
                    target = Files.readSymbolicLink(fd).toString();
                } catch (IOException gone) {
                    continue;
                }
                if (target.equals("anon_inode:[eventpoll]")) {
                    String info = Files.readString(proc.resolve("fdinfo").resolve(fd.getFileName()));
                    counts.add((int) info.lines().filter(line -> line.startsWith("tfd:")).count());
                }
            }
        }
        return counts;
    }

    @Test
    void twoThreadsRelayHundredsOfConnections() throws Exception {
        try (Backend backend = TestBackends.echo()) {
            int port = ProxyProcess.freePort();
            ProxyProcess proxy = keep(ProxyProcess.activated(dir, port, "--threads=2", "-c", "1000", backend.target()));
            int connections = 300;
            List<Future<Boolean>> results = new ArrayList<>();
            try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < connections; i++) {
                    int seed = i;
                    results.add(clients.submit(() -> {
                        try (Socket s = connect(port)) {
                            byte[] data = random(4096 + seed, seed);
                            boolean echoed = Arrays.equals(ProxyClients.roundTrip(s, data), data);
                            s.shutdownOutput();
                            return echoed && s.getInputStream().read() == -1;
                        }
                    }));
                }
            }
            for (Future<Boolean> r : results) {
                assertThat(r.get()).as("log:%n%s", proxy.log()).isTrue();
            }
            assertThat(backend.accepted()).isEqualTo(connections);
        }
    }

    /**
     * Loops beyond the first start only once two connections are open at once: one client at a time (a cold start)
     * pays for no second thread; the first overlap starts it.
     */
    @Test
    void theSecondLoopStartsOnceConnectionsOverlap() throws Exception {
        Backend backend = keep(TestBackends.echo());
        int port = ProxyProcess.freePort();
        ProxyProcess proxy = keep(ProxyProcess.activated(dir, port, "--threads=2", backend.target()));
        try (Socket first = connect(port)) {
            assertRelayed(first);
            assertThat(threadNames(proxy)).as("one connection: one loop").doesNotContain("proxy-loop-1");
            try (Socket second = connect(port)) {
                assertRelayed(second);
                Await.until("the second loop's thread",
                        () -> threadNames(proxy).contains("proxy-loop-1"));
                assertRelayed(first);
            }
        }
    }

    private static List<String> threadNames(ProxyProcess proxy) {
        List<String> names = new ArrayList<>();
        try (var tasks = Files.list(Path.of("/proc", Long.toString(proxy.pid()), "task"))) {
            for (Path task : tasks.toList()) {
                names.add(Files.readString(task.resolve("comm")).strip());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return names;
    }

    @Test
    void keepsServingAcrossManySequentialConnections() throws Exception {
        Backend backend = keep(TestBackends.echo());
        int port = ProxyProcess.freePort();
        keep(ProxyProcess.activated(dir, port, backend.target()));
        for (int i = 0; i < 50; i++) {
            try (Socket s = connect(port)) {
                assertRelayed(s);
            }
        }
    }

    static byte[] random(int size, long seed) {
        byte[] bytes = new byte[size];
        new SplittableRandom(seed).nextBytes(bytes);
        return bytes;
    }

    static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

}
