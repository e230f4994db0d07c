package dev.sockact.proxy;

import static dev.sockact.proxy.ProxyClients.assertRelayed;
import static dev.sockact.proxy.ProxyClients.connect;
import static dev.sockact.proxy.ProxyClients.readUntilClosed;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sockact.metrics.MetricsScrapes;
import dev.sockact.proxy.ProxyProcess.Setup;
import dev.sockact.proxy.TestBackends.Backend;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Every target syntax, and targets that are down or do not answer. */
class ProxyTargetsIT extends ProxyTestBase {

    private static InetAddress ipv6Loopback() {
        try {
            InetAddress v6 = InetAddress.getByName("::1");
            try (ServerSocket _ = new ServerSocket(0, 1, v6)) {
                return v6;
            }
        } catch (IOException e) {
            Assumptions.abort("no IPv6 loopback: " + e);
            return null;
        }
    }

    /** Starts {@code setup} forwarding to {@code target}, connects a client and returns it. */
    private Socket clientThrough(Setup setup, String target, ProxyProcess[] proxy) {
        int port = ProxyProcess.freePort();
        proxy[0] = keep(setup.start(dir, port, target));
        return keep(connect(port));
    }

    /** "[::1]:PORT": ours forwards; systemd 252 hands the brackets to getaddrinfo and fails. */
    @ParameterizedTest
    @EnumSource(names = {"OURS_UNDER_SOCKACT", "SYSTEMD_UNDER_SYSTEMD"})
    void bracketedIpv6Target(Setup setup) {
        Backend backend = keep(TestBackends.tcp(ipv6Loopback(), TestBackends.ECHO));
        assertThat(backend.target()).startsWith("[::1]:");
        ProxyProcess[] proxy = new ProxyProcess[1];
        Socket client = clientThrough(setup, backend.target(), proxy);
        if (setup.isSystemdProxy()) {
            assertThat(readUntilClosed(client).data()).isEmpty();
            proxy[0].awaitLog("Failed to resolve host");
            assertThat(backend.accepted()).isZero();
        } else {
            assertRelayed(client);
        }
    }

    /** "::1:PORT" (no brackets, split at the last colon) works in both. */
    @ParameterizedTest
    @EnumSource(names = {"OURS_UNDER_SOCKACT", "SYSTEMD_UNDER_SYSTEMD"})
    void unbracketedIpv6Target(Setup setup) {
        Backend backend = keep(TestBackends.tcp(ipv6Loopback(), TestBackends.ECHO));
        String port = backend.target().substring(backend.target().lastIndexOf(':') + 1);
        assertRelayed(clientThrough(setup, "::1:" + port, new ProxyProcess[1]));
    }

    @ParameterizedTest
    @EnumSource(Setup.class)
    void unixPathTarget(Setup setup) {
        Backend backend = keep(TestBackends.unix(dir.resolve("backend.sock"), TestBackends.ECHO));
        assertRelayed(clientThrough(setup, backend.target(), new ProxyProcess[1]));
    }

    @ParameterizedTest
    @EnumSource(Setup.class)
    void abstractTarget(Setup setup) {
        Backend backend = keep(TestBackends.abstractEcho("sockact-proxy-test-" + ThreadLocalRandom.current().nextLong(1L << 40)));
        assertRelayed(clientThrough(setup, backend.target(), new ProxyProcess[1]));
    }

    /** A host name is resolved (for every connection): "localhost:PORT". */
    @ParameterizedTest
    @EnumSource(Setup.class)
    void hostNameTarget(Setup setup) {
        Backend backend = keep(TestBackends.echo());
        String port = backend.target().substring(backend.target().lastIndexOf(':') + 1);
        assertRelayed(clientThrough(setup, "localhost:" + port, new ProxyProcess[1]));
    }

    /** The target is down: the client is let go at once, logged with the target and errno; the proxy goes on. */
    @ParameterizedTest
    @EnumSource(names = {"OURS_UNDER_SOCKACT", "OURS_UNDER_SYSTEMD"})
    void targetDownClosesTheClientAndTheProxyGoesOn(Setup setup) throws Exception {
        int backendPort = ProxyProcess.freePort();
        String target = "127.0.0.1:" + backendPort;
        int port = ProxyProcess.freePort();
        ProxyProcess proxy = keep(setup.start(dir, port, target));

        try (Socket first = connect(port)) {
            first.getOutputStream().write("hello".getBytes(StandardCharsets.US_ASCII));
            assertThat(readUntilClosed(first).data()).isEmpty();
        }
        proxy.awaitLog("ECONNREFUSED");
        assertThat(proxy.log()).containsPattern("Failed to connect to remote host " + Pattern.quote(target)
                + ": ECONNREFUSED");

        Backend backend = keep(TestBackends.tcp(new InetSocketAddress(InetAddress.getLoopbackAddress(), backendPort),
                TestBackends.ECHO));
        assertThat(backend.target()).isEqualTo(target);
        try (Socket second = connect(port)) {
            assertRelayed(second);
        }
        assertThat(proxy.isAlive()).isTrue();
    }

    /** Extension --connect-timeout: a target that never answers the SYN (full accept queue) is given up. */
    @Test
    void connectTimeoutGivesUpOnASilentTarget() throws Exception {
        ServerSocket silent = keep(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
        // Fill the accept queue (never accepted): further SYNs are dropped, so connect() hangs.
        boolean full = false;
        for (int i = 0; i < 8 && !full; i++) {
            Socket filler = keep(new Socket());
            try {
                filler.connect(silent.getLocalSocketAddress(), 300);
            } catch (IOException timedOut) {
                full = true;
            }
        }
        Assumptions.assumeTrue(full, "could not fill the accept queue of a loopback listener");

        int port = ProxyProcess.freePort();
        ProxyProcess proxy = keep(ProxyProcess.activated(dir, port, "--connect-timeout=1s",
                "127.0.0.1:" + silent.getLocalPort()));
        try (Socket client = connect(port)) {
            assertThat(readUntilClosed(client).data()).isEmpty();
        }
        proxy.awaitLog("ETIMEDOUT");
        assertThat(proxy.log()).contains("Failed to connect to remote host 127.0.0.1:" + silent.getLocalPort());
    }

    /**
     * Extension --connect-retry: a UNIX socket target that does not exist yet (ENOENT) when the client comes; the
     * client's byte waits in the kernel and is echoed once the backend binds.
     */
    @Test
    void connectRetryHoldsTheClientUntilTheTargetListens() {
        Path socket = dir.resolve("later.sock");
        int port = ProxyProcess.freePort();
        keep(ProxyProcess.activated(dir, port, "--connect-retry=60s", socket.toString()));
        try (Socket client = connect(port)) {
            client.getOutputStream().write(42);
            keep(TestBackends.unix(socket, TestBackends.ECHO));
            assertThat(client.getInputStream().read()).as("the byte sent before the target listened").isEqualTo(42);
            assertRelayed(client);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Extension --connect-retry: once its span has passed, the client is let go as without it. */
    @Test
    void connectRetryGivesUpAfterItsSpan() {
        int down = ProxyProcess.freePort();
        int port = ProxyProcess.freePort();
        ProxyProcess proxy = keep(ProxyProcess.activated(dir, port, "--connect-retry=300ms", "127.0.0.1:" + down));
        try (Socket client = connect(port)) {
            assertThat(readUntilClosed(client).data()).isEmpty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        proxy.awaitLog("Failed to connect to remote host 127.0.0.1:" + down + ": ECONNREFUSED");
        assertThat(proxy.isAlive()).isTrue();
    }

    /**
     * Extension --connect-retry: a client that resets while it waits (SO_LINGER 0) ends its wait at once and gives its
     * slot back, instead of holding it for the whole span. Read from --metrics=: the open connections go 1, then 0.
     */
    @Test
    void connectRetryEndsWhenTheWaitingClientResets() throws IOException {
        int down = ProxyProcess.freePort();
        int port = ProxyProcess.freePort();
        int metrics = ProxyProcess.freePort();
        ProxyProcess proxy = keep(ProxyProcess.activated(dir, port, "--connect-retry=60s",
                "--metrics=127.0.0.1:" + metrics, "127.0.0.1:" + down));
        Socket client = connect(port);
        proxy.awaitCondition(() -> openConnections(metrics) == 1, "the client to wait for the target");
        client.setSoLinger(true, 0);
        client.close();
        proxy.awaitCondition(() -> openConnections(metrics) == 0, "the reset client's wait to end");
        assertThat(proxy.log()).doesNotContain("Failed to connect");
        assertThat(proxy.isAlive()).isTrue();
    }

    /** sockact_proxy_connections_open from the metrics endpoint, or -1 while it does not answer. */
    private static long openConnections(int metricsPort) {
        try {
            Matcher m = Pattern.compile("(?m)^sockact_proxy_connections_open (\\d+)")
                    .matcher(MetricsScrapes.get(metricsPort, "/metrics").body());
            return m.find() ? Long.parseLong(m.group(1)) : -1;
        } catch (IOException e) {
            return -1;
        }
    }
}
