package dev.sockact.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sockact.proxy.TestBackends.Backend;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * --connection-idle-time=: a connection without traffic either way is closed (both sides), a busy one is not.
 * The busy client talks without pause for the whole test; nothing asserts how soon the quiet one goes.
 */
class ProxyConnectionIdleIT extends ProxyTestBase {
    private static final String IDLE = "300ms";

    @Test
    void aQuietConnectionIsClosedABusyOneIsNot() throws Exception {
        Backend echo = keep(TestBackends.echo());
        int port = ProxyProcess.freePort();
        ProxyProcess proxy = keep(ProxyProcess.activated(dir, port, "--connection-idle-time=" + IDLE, echo.target()));
        Socket quiet = keep(ProxyClients.connect(port));
        Socket busy = keep(ProxyClients.connect(port));
        ProxyClients.assertRelayed(quiet);
        ProxyClients.assertRelayed(busy);
        CompletableFuture<Integer> quietEnd = CompletableFuture.supplyAsync(() -> readOne(quiet));
        long deadline = System.nanoTime() + ProxyProcess.DEADLINE.toNanos();
        while (!quietEnd.isDone()) {
            ProxyClients.assertRelayed(busy);
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the quiet connection was never closed; log:\n" + proxy.log());
            }
        }
        assertThat(quietEnd.get()).as("the quiet client reads EOF").isEqualTo(-1);
        // Three more idle times of traffic: the busy connection stays.
        long end = System.nanoTime() + 3 * Duration.ofMillis(300).toNanos();
        while (System.nanoTime() < end) {
            ProxyClients.assertRelayed(busy);
        }
        assertThat(echo.accepted()).isEqualTo(2);
    }

    @Test
    void theCloseIsLoggedAtDebug() {
        Backend echo = keep(TestBackends.echo());
        int port = ProxyProcess.freePort();
        ProxyProcess proxy = keep(ProxyProcess.start(dir, java.util.Map.of("SOCKACT_LOG_LEVEL", "debug"),
                java.util.List.of(ProxyProcess.OUR_ACTIVATE, "-l", "127.0.0.1:" + port, "-E", "SOCKACT_LOG_LEVEL", ProxyProcess.OUR_PROXYD,
                        "--connection-idle-time=" + IDLE, echo.target())));
        proxy.awaitLog("Listening on ");
        Socket quiet = keep(ProxyClients.connect(port));
        ProxyClients.assertRelayed(quiet);
        assertThat(readOne(quiet)).isEqualTo(-1);
        proxy.awaitLog("no traffic for 300 ms (--connection-idle-time=)");
    }

    private static int readOne(Socket socket) {
        try {
            socket.setSoTimeout((int) ProxyProcess.DEADLINE.toMillis());
            InputStream in = socket.getInputStream();
            return in.read();
        } catch (IOException e) {
            return -2;
        }
    }
}
