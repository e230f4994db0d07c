package dev.sockact.proxy;

import static dev.sockact.proxy.ProxyClients.connect;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sockact.proxy.ProxyProcess.Activator;
import dev.sockact.proxy.ProxyProcess.Proxyd;
import dev.sockact.proxy.TestBackends.Backend;
import java.io.IOException;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The proxy at its descriptor limit ({@code prlimit --nofile=64}) with 150 clients: it logs the shortage once per
 * episode with the bound, and each repeated error at most ten times per 10 s with a count, instead of a line per
 * failed accept (hundreds in a few seconds before); once clients leave it serves again.
 */
class ProxyDescriptorLimitIT extends ProxyTestBase {
    private static final int CLIENTS = 150;

    @Test
    void atTheDescriptorLimitTheLogIsBoundedAndTheProxyRecovers() {
        ProxyProcess.assumeExecutable("/usr/bin/prlimit");
        Backend backend = keep(TestBackends.echo());
        int port = ProxyProcess.freePort();
        ProxyProcess proxy = keep(ProxyProcess.start(dir, List.of("/usr/bin/prlimit", "--nofile=64", "--",
                Activator.SOCKACT.path, "-l", "127.0.0.1:" + port, Proxyd.SOCKACT.path, backend.target())));
        proxy.awaitLog("Listening on ");

        List<Socket> clients = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            clients.add(keep(connect(port)));   // completes in the kernel's backlog, accepted or not
        }
        proxy.awaitLog("Out of descriptors: EMFILE (Too many open files), at the limit of 64 open files"
                + " (RLIMIT_NOFILE); accepting again when a connection closes.");
        // The first clients were accepted before the limit and are relayed; the rest wait in the backlog.
        assertThat(echoes(clients.getFirst())).as("log:%n%s", proxy.log()).isTrue();

        clients.forEach(ProxyClients::closeQuietly);
        proxy.awaitCondition(() -> {
            try (Socket next = connect(port)) {
                return echoes(next);
            } catch (IOException | RuntimeException e) {
                return false;
            }
        }, "a new client to be served once the others left");
        proxy.awaitLog("Accepting connections again.");

        String log = proxy.log();
        assertThat(proxy.isAlive()).isTrue();
        assertThat(log.lines().count()).as("log:%n%s", log).isLessThan(60);
        assertThat(proxy.logCount("Failed to accept() socket")).as("log:%n%s", log).isZero();
        assertThat(proxy.logCount("Failed to connect to remote host")).as("log:%n%s", log).isLessThanOrEqualTo(10);
    }

    /** Whether one byte sent comes back (the connection was relayed) before the proxy gives up on it. */
    private static boolean echoes(Socket socket) {
        try {
            return ProxyClients.roundTrip(socket, new byte[] {42}).length == 1;
        } catch (RuntimeException closed) {
            return false;
        }
    }
}
