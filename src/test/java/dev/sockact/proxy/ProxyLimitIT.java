package dev.sockact.proxy;

import static dev.sockact.proxy.ProxyClients.assertRelayed;
import static dev.sockact.proxy.ProxyClients.connect;
import static dev.sockact.proxy.ProxyClients.readUntilClosed;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sockact.proxy.ProxyProcess.Setup;
import dev.sockact.proxy.TestBackends.Backend;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** --connections-max: ours serves exactly N, systemd-socket-proxyd 252 serves N + 1. */
class ProxyLimitIT extends ProxyTestBase {
    private static final int MAX = 3;

    @ParameterizedTest
    @EnumSource(names = {"OURS_UNDER_SOCKACT", "OURS_UNDER_SYSTEMD", "SYSTEMD_UNDER_SYSTEMD"})
    void connectionLimitIsExact(Setup setup) throws Exception {
        Backend backend = keep(TestBackends.echo());
        int port = ProxyProcess.freePort();
        ProxyProcess proxy = keep(setup.start(dir, port, "-c", Integer.toString(MAX), backend.target()));
        int served = setup.isSystemdProxy() ? MAX + 1 : MAX;

        List<Socket> open = new ArrayList<>();
        for (int i = 0; i < served; i++) {
            Socket s = keep(connect(port));
            open.add(s);
            assertRelayed(s);
        }
        // A burst of refused connections: accepted and closed at once (EOF, or RST).
        for (int i = 0; i < 2; i++) {
            try (Socket refused = connect(port)) {
                assertThat(readUntilClosed(refused).data()).as("refused connection %d; log:%n%s", i, proxy.log()).isEmpty();
            }
        }
        assertThat(backend.accepted()).isEqualTo(served);
        if (setup.isSystemdProxy()) {
            proxy.awaitLog("Hit connection limit, refusing connection.");
        } else {
            String line = "Hit connection limit (" + MAX + "), refusing connection.";
            proxy.awaitLog(line);
            assertThat(proxy.logCount(line)).as("logged once per burst; log:%n%s", proxy.log()).isEqualTo(1);
        }

        // One closes: a new connection is served again (once the proxy has seen the close).
        ProxyClients.closeQuietly(open.removeFirst());
        Socket next = keep(awaitServed(port, proxy));
        if (!setup.isSystemdProxy()) {
            assertThat(proxy.logCount("Hit connection limit")).as("log:%n%s", proxy.log()).isEqualTo(1);
        }
    }

    /** Connects until a connection is relayed (an echo comes back), within the deadline. */
    private static Socket awaitServed(int port, ProxyProcess proxy) {
        Socket[] served = new Socket[1];
        proxy.awaitCondition(() -> {
            Socket s = connect(port);
            try {
                if (ProxyClients.roundTrip(s, new byte[] {7}).length == 1) {
                    served[0] = s;
                    return true;
                }
            } catch (RuntimeException refused) {
                // closed by the proxy: still at the limit
            }
            ProxyClients.closeQuietly(s);
            return false;
        }, "a connection to be served again");
        return served[0];
    }
}
