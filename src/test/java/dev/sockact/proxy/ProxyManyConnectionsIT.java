package dev.sockact.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sockact.proxy.TestBackends.Backend;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * 5000 idle connections held at once: each costs the proxy its two sockets and
 * no pipes (systemd-socket-proxyd holds six descriptors per connection).
 */
class ProxyManyConnectionsIT extends ProxyTestBase {
    private static final int CONNECTIONS = 5000;

    private static long hardDescriptorLimit() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("sh", "-c", "ulimit -Hn").start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
        p.waitFor();
        return out.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(out);
    }

    @Test
    void fiveThousandIdleConnectionsAllWork() throws Exception {
        Assumptions.assumeTrue(hardDescriptorLimit() >= 20000, "needs a hard RLIMIT_NOFILE of at least 20000");
        Backend backend = keep(TestBackends.echo());
        int port = ProxyProcess.freePort();
        ProxyProcess proxy = keep(ProxyProcess.activated(dir, port, "-c", "6000", backend.target()));

        List<Socket> clients = new ArrayList<>(CONNECTIONS);
        try {
            for (int i = 0; i < CONNECTIONS; i++) {
                Socket s = ProxyClients.connect(port);
                clients.add(s);
                byte b = (byte) i;
                assertThat(ProxyClients.roundTrip(s, new byte[] {b})).as("connection %d; log:%n%s", i, proxy.log())
                        .containsExactly(b);
            }
            assertThat(backend.accepted()).isEqualTo(CONNECTIONS);
            // Every connection again, now that all are held: none was dropped.
            for (int i = 0; i < CONNECTIONS; i++) {
                ProxyClients.assertRelayed(clients.get(i));
            }
            assertThat(proxy.openDescriptors()).as("descriptors of the proxy with %d idle connections", CONNECTIONS)
                    .isLessThanOrEqualTo(2 * CONNECTIONS + 64);
        } finally {
            clients.forEach(ProxyClients::closeQuietly);
        }
        assertThat(proxy.isAlive()).isTrue();
    }
}
