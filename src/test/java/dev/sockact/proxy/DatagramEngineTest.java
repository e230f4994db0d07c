package dev.sockact.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sockact.activation.ListenSockets;
import dev.sockact.posix.Fd;
import dev.sockact.posix.Io;
import dev.sockact.posix.SockAddr;
import dev.sockact.posix.Sockets;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Datagram sessions as a host of the engine sees them, in one JVM: the sessions opened and expired and the
 * datagrams dropped at the bound, in {@link ProxyEngine#stats}, against a real UDP echo backend.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class DatagramEngineTest {
    private static final System.Logger LOG = System.getLogger("socket-proxyd");
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    @Test
    void countsSessionsOpenedExpiredAndDatagramsDroppedAtTheBound() throws Exception {
        try (DatagramSocket backend = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
             Fd listener = ListenSockets.open(new SockAddr.In4((Inet4Address) LOOPBACK, 0),
                     ListenSockets.Options.activateDefaults(Sockets.SOCK_DGRAM));
             DatagramSocket a = client(); DatagramSocket b = client(); DatagramSocket c = client()) {
            Thread echo = Thread.ofPlatform().daemon().start(() -> echo(backend));
            ProxyEngine engine = new ProxyEngine(new ProxyConfig(2, Long.MAX_VALUE, Long.MAX_VALUE, 1,
                    null, Long.MAX_VALUE, TimeUnit.SECONDS.toNanos(2), 0, ProxyConfig.DEFAULT_BUSY_POLL_NANOS),
                    ProxyObserver.NONE, LOG);
            Thread host = serve(engine, listener, backend);
            InetSocketAddress proxy = address(listener);
            assertThat(exchange(a, proxy)).isEqualTo("ok");
            assertThat(exchange(b, proxy)).isEqualTo("ok");
            ProxyStats stats = engine.stats();
            assertThat(stats.sessionsOpened()).isEqualTo(2);
            assertThat(stats.open()).isEqualTo(2);
            assertThat(stats.bytesToTarget()).as("one byte each, maybe sent more than once").isGreaterThanOrEqualTo(2);
            send(c, proxy);   // a third client at the bound of 2: dropped
            waitUntil(() -> engine.stats().datagramsDropped() == 1);
            assertThat(engine.stats().sessionsOpened()).isEqualTo(2);
            waitUntil(() -> engine.stats().sessionsExpired() == 2 && engine.stats().open() == 0);

            engine.stop();
            host.join(TimeUnit.SECONDS.toMillis(10));
            assertThat(host.isAlive()).isFalse();
            echo.interrupt();
        }
    }

    /**
     * A client that waits for each reply leaves the listener reading one datagram per wake-up; a burst after it
     * must still be read whole (the watch is level-triggered, and a socket readable in consecutive rounds is read in
     * batches).
     */
    @Test
    void aBurstAfterPingPongIsForwardedWhole() throws Exception {
        try (DatagramSocket backend = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
             Fd listener = ListenSockets.open(new SockAddr.In4((Inet4Address) LOOPBACK, 0),
                     ListenSockets.Options.activateDefaults(Sockets.SOCK_DGRAM));
             DatagramSocket pinger = client(); DatagramSocket burster = client()) {
            Thread echo = Thread.ofPlatform().daemon().start(() -> echo(backend));
            ProxyEngine engine = new ProxyEngine(new ProxyConfig(16, Long.MAX_VALUE, Long.MAX_VALUE, 1,
                    null, Long.MAX_VALUE, TimeUnit.SECONDS.toNanos(60), 0,
                    ProxyConfig.DEFAULT_BUSY_POLL_NANOS), ProxyObserver.NONE, LOG);
            Thread host = serve(engine, listener, backend);
            InetSocketAddress proxy = address(listener);
            for (int i = 0; i < 20; i++) {
                assertThat(exchange(pinger, proxy)).isEqualTo("ok");
            }
            int burst = 200;
            for (int i = 0; i < burst; i++) {
                byte[] number = {(byte) (i >> 8), (byte) i};
                burster.send(new DatagramPacket(number, 2, proxy));
            }
            java.util.Set<Integer> echoed = new java.util.HashSet<>();
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (echoed.size() < burst && System.nanoTime() < end) {
                DatagramPacket reply = new DatagramPacket(new byte[16], 16);
                try {
                    burster.receive(reply);
                } catch (java.net.SocketTimeoutException e) {
                    continue;
                }
                echoed.add(((reply.getData()[0] & 0xff) << 8) | (reply.getData()[1] & 0xff));
            }
            assertThat(echoed).hasSize(burst);
            assertThat(engine.stats().datagramsDropped()).isZero();
            engine.stop();
            host.join(TimeUnit.SECONDS.toMillis(10));
            echo.interrupt();
        }
    }

    /** Runs {@code engine} on {@code listener} (made non-blocking) towards {@code backend}, on a thread of its own. */
    private static Thread serve(ProxyEngine engine, Fd listener, DatagramSocket backend) throws Exception {
        Io.setNonBlocking(listener.fd(), true);
        TargetResolver target = new TargetResolver(Target.parse("127.0.0.1:" + backend.getLocalPort()));
        return Thread.ofPlatform().start(() -> {
            try {
                engine.run(List.of(new ProxyListener(listener, target)));
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
    }

    private static InetSocketAddress address(Fd listener) throws Exception {
        return new InetSocketAddress(LOOPBACK, ((SockAddr.In4) Sockets.localAddress(listener.fd())).port());
    }

    private static DatagramSocket client() throws Exception {
        DatagramSocket s = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
        s.setSoTimeout(200);
        return s;
    }

    private static void send(DatagramSocket socket, InetSocketAddress to) throws Exception {
        socket.send(new DatagramPacket(new byte[] {'c'}, 1, to));
    }

    /** Sends one byte until its echo comes back (the engine may not be watching yet). */
    private static String exchange(DatagramSocket socket, InetSocketAddress to) throws Exception {
        String letter = socket.getLocalPort() % 2 == 0 ? "a" : "b";
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < end) {
            socket.send(new DatagramPacket(letter.getBytes(), 1, to));
            try {
                DatagramPacket reply = new DatagramPacket(new byte[16], 16);
                socket.receive(reply);
                return new String(reply.getData(), 0, reply.getLength()).equals(letter) ? "ok" : "wrong";
            } catch (java.net.SocketTimeoutException e) {
                // not yet
            }
        }
        return "none";
    }

    private static void echo(DatagramSocket socket) {
        DatagramPacket packet = new DatagramPacket(new byte[65536], 65536);
        try {
            while (true) {
                packet.setLength(65536);
                socket.receive(packet);
                socket.send(packet);
            }
        } catch (Exception e) {
            // closed
        }
    }

    private static void waitUntil(BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition within 20 s").isLessThan(end);
            Thread.sleep(10);
        }
    }
}
