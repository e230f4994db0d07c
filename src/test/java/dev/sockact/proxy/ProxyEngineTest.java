package dev.sockact.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sockact.activation.ListenSockets;
import dev.sockact.posix.Fd;
import dev.sockact.posix.Io;
import dev.sockact.posix.SockAddr;
import dev.sockact.posix.Sockets;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * The engine as a host sees it, in one JVM: real listeners and a real echo backend, the counts it reports, the
 * idle time it reports without acting on it, and a stop from another thread.
 */
class ProxyEngineTest {
    private static final System.Logger LOG = System.getLogger("socket-proxyd");

    @Test
    void countsWhatItForwardsAndReportsIdleWithoutStopping() throws Exception {
        CountDownLatch listening = new CountDownLatch(1);
        CountDownLatch idle = new CountDownLatch(1);
        ProxyObserver observer = new ProxyObserver() {
            @Override
            public void listening() {
                listening.countDown();
            }

            @Override
            public void idle() {
                idle.countDown();
            }
        };
        try (TestBackends.Backend echo = TestBackends.echo(); Fd listener = loopbackListener()) {
            ProxyEngine engine = new ProxyEngine(new ProxyConfig(8, TimeUnit.MILLISECONDS.toNanos(50),
                    Long.MAX_VALUE, 2), observer, LOG);
            Thread host = start(engine, listener, echo);
            assertThat(listening.await(10, TimeUnit.SECONDS)).isTrue();
            // Idle from the start, with no client ever: reported, and the engine still serves.
            assertThat(idle.await(10, TimeUnit.SECONDS)).isTrue();

            byte[] message = new byte[100_000];
            try (Socket a = connect(listener); Socket b = connect(listener)) {
                ProxyClients.echoRoundTrip(a, message);
                ProxyClients.echoRoundTrip(b, message);
                // The echo can reach the client before the loop has added what it just wrote: wait for the count.
                long expected = 2L * message.length;
                waitUntil(() -> engine.stats().open() == 2 && engine.stats().bytesToTarget() == expected
                        && engine.stats().bytesToClients() == expected);
                ProxyStats stats = engine.stats();
                assertThat(stats.accepted()).isEqualTo(2);
                assertThat(stats.bytesToTarget()).isEqualTo(2L * message.length);
                assertThat(stats.bytesToClients()).isEqualTo(2L * message.length);
            }
            waitUntil(() -> engine.stats().open() == 0);
            assertThat(engine.stats().refused()).isZero();

            engine.stop();
            host.join(TimeUnit.SECONDS.toMillis(10));
            assertThat(host.isAlive()).isFalse();
        }
    }

    @Test
    void aTargetThatRefusesIsCountedAsAConnectFailure() throws Exception {
        int deadPort;
        try (Fd closed = loopbackListener()) {
            deadPort = ((SockAddr.In4) Sockets.localAddress(closed.fd())).port();
        }
        // A port that nobody listens on any more: connect() is refused.
        try (Fd listener = loopbackListener()) {
            ProxyEngine engine = new ProxyEngine(new ProxyConfig(8, Long.MAX_VALUE, Long.MAX_VALUE, 1),
                    ProxyObserver.NONE, LOG);
            TargetResolver target = new TargetResolver(Target.parse("127.0.0.1:" + deadPort));
            Thread host = Thread.ofPlatform().start(() -> run(engine, new ProxyListener(listener, target)));
            try (Socket client = connect(listener)) {
                assertThat(client.getInputStream().read()).isEqualTo(-1);
            }
            waitUntil(() -> engine.stats().connectFailures() == 1 && engine.stats().open() == 0);
            engine.stop();
            host.join(TimeUnit.SECONDS.toMillis(10));
            assertThat(host.isAlive()).isFalse();
        }
    }

    @Test
    void stopBeforeRunMakesRunReturnAtOnce() throws Exception {
        try (TestBackends.Backend echo = TestBackends.echo(); Fd listener = loopbackListener()) {
            ProxyEngine engine = new ProxyEngine(new ProxyConfig(8, Long.MAX_VALUE, Long.MAX_VALUE, 1),
                    ProxyObserver.NONE, LOG);
            engine.stop();
            Thread host = start(engine, listener, echo);
            host.join(TimeUnit.SECONDS.toMillis(10));
            assertThat(host.isAlive()).isFalse();
        }
    }

    private static Thread start(ProxyEngine engine, Fd listener, TestBackends.Backend backend) {
        TargetResolver target = new TargetResolver(Target.parse(backend.target()));
        return Thread.ofPlatform().start(() -> run(engine, new ProxyListener(listener, target)));
    }

    private static void run(ProxyEngine engine, ProxyListener listener) {
        try {
            engine.run(List.of(listener));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static Fd loopbackListener() throws Exception {
        Fd fd = ListenSockets.open(new SockAddr.In4((Inet4Address) InetAddress.getLoopbackAddress(), 0),
                ListenSockets.Options.activateDefaults(Sockets.SOCK_STREAM));
        Io.setNonBlocking(fd.fd(), true);
        return fd;
    }

    private static Socket connect(Fd listener) throws Exception {
        int port = ((SockAddr.In4) Sockets.localAddress(listener.fd())).port();
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
        socket.setSoTimeout(10_000);
        return socket;
    }

    private static void waitUntil(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition within 10 s").isLessThan(deadline);
            Thread.sleep(5);
        }
    }
}
