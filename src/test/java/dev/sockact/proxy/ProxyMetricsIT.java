package dev.sockact.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sockact.metrics.MetricsScrapes;
import dev.sockact.proxy.TestBackends.Backend;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * socket-proxyd --metrics=: a real HTTP client scrapes the process while it forwards, prometheus_client's
 * parser reads every scrape, and the counts are what the test did.
 */
class ProxyMetricsIT extends ProxyTestBase {

    @Test
    void scrapesCountWhatTheProxyDid() throws Exception {
        MetricsScrapes.assumeParser();
        Backend backend = keep(TestBackends.echo());
        int port = ProxyProcess.freePort();
        int metricsPort = ProxyProcess.freePort();
        ProxyProcess proxy = keep(ProxyProcess.Setup.OURS_UNDER_SOCKACT.start(dir, port, "-c", "3",
                "--metrics=127.0.0.1:" + metricsPort, backend.target()));
        byte[] message = new byte[50_000];
        List<Socket> open = new ArrayList<>();
        // The first client starts the proxy (socket activation), and with it the endpoint.
        Socket first = keep(ProxyClients.connect(port));
        ProxyClients.echoRoundTrip(first, message);
        open.add(first);
        proxy.awaitCondition(() -> scrapeQuietly(metricsPort) != null, "the metrics endpoint answers");
        Map<String, Double> before = MetricsScrapes.parse(scrapeQuietly(metricsPort));
        assertThat(before).containsEntry("sockact_proxy_connections_accepted_total{}", 1.0);

        for (int i = 0; i < 2; i++) {
            Socket s = keep(ProxyClients.connect(port));
            ProxyClients.echoRoundTrip(s, message);
            open.add(s);
        }
        // A fourth is over -c 3: refused.
        try (Socket refused = ProxyClients.connect(port)) {
            ProxyClients.readUntilClosed(refused);
        }
        // The echo can reach a client before the proxy's loop has added what it just wrote: wait for the count.
        proxy.awaitCondition(() -> {
            Map<String, Double> now = parseQuietly(metricsPort);
            return now != null && forwarded(now, "to_client") == 3 * message.length;
        }, "every byte counted");
        Map<String, Double> during = MetricsScrapes.parse(scrapeQuietly(metricsPort));
        assertThat(during).containsEntry("sockact_proxy_connections_open{}", 3.0)
                .containsEntry("sockact_proxy_connections_accepted_total{}", 3.0)
                .containsEntry("sockact_proxy_connections_refused_total{}", 1.0);
        // splice and copy together: every byte the clients sent, and the echo back.
        assertThat(forwarded(during, "to_target")).isGreaterThanOrEqualTo(3.0 * message.length);
        assertThat(forwarded(during, "to_client")).isGreaterThanOrEqualTo(3.0 * message.length);
        // Every connection accepted got connected to the backend, once: one connect time each.
        assertThat(during).containsEntry("sockact_proxy_connect_duration_seconds_count{}", 3.0)
                .containsEntry("sockact_proxy_connect_duration_seconds_bucket{le=+Inf}", 3.0)
                .containsEntry("sockact_proxy_connect_failures_total{errno=ECONNREFUSED}", 0.0);
        assertThat(during.get("sockact_proxy_connect_duration_seconds_sum{}")).isPositive();
        assertThat(during.get("process_open_fds{}")).isPositive();
        assertThat(during.get("process_resident_memory_bytes{}")).isPositive();
        // Counters never go down between scrapes.
        before.forEach((name, value) -> {
            if (name.contains("_total")) {
                assertThat(during.get(name)).as(name).isGreaterThanOrEqualTo(value);
            }
        });

        open.forEach(ProxyClients::closeQuietly);
        proxy.awaitCondition(() -> {
            String text = scrapeQuietly(metricsPort);
            return text != null && text.contains("sockact_proxy_connections_open 0");
        }, "every connection closed");

        MetricsScrapes.Response other = MetricsScrapes.get(metricsPort, "/other");
        assertThat(other.status()).isEqualTo(404);
        MetricsScrapes.Response ok = MetricsScrapes.get(metricsPort, "/metrics");
        assertThat(ok.headers().get("content-type")).isEqualTo("text/plain; version=0.0.4; charset=utf-8");
    }

    @Test
    void anUnusableMetricsAddressIsRefusedAtStart() throws Exception {
        Backend backend = keep(TestBackends.echo());
        int port = ProxyProcess.freePort();
        ProxyProcess proxy = keep(ProxyProcess.Setup.OURS_UNDER_SOCKACT.start(dir, port, "--metrics=nowhere:x",
                backend.target()));
        try (Socket trigger = ProxyClients.connect(port)) {
            ProxyClients.readUntilClosed(trigger);
        }
        assertThat(proxy.awaitExit()).isEqualTo(1);
        assertThat(proxy.log()).contains("Failed to parse --metrics= argument: nowhere:x");
    }

    @Test
    void connectFailuresAreCountedByErrno() throws Exception {
        MetricsScrapes.assumeParser();
        int closedPort = ProxyProcess.freePort();   // nothing listens there: every connect is refused
        int port = ProxyProcess.freePort();
        int metricsPort = ProxyProcess.freePort();
        ProxyProcess proxy = keep(ProxyProcess.start(dir, List.of(ProxyProcess.OUR_PROXYD,
                "--listen=127.0.0.1:" + port, "--metrics=127.0.0.1:" + metricsPort, "127.0.0.1:" + closedPort)));
        proxy.awaitCondition(() -> parseQuietly(metricsPort) != null, "the metrics endpoint answers");
        int clients = 5;
        for (int i = 0; i < clients; i++) {
            try (Socket s = ProxyClients.connect(port)) {
                ProxyClients.readUntilClosed(s);
            }
        }
        proxy.awaitCondition(() -> {
            Map<String, Double> now = parseQuietly(metricsPort);
            return now != null && now.get("sockact_proxy_connect_failures_total{errno=ECONNREFUSED}") == clients;
        }, clients + " connect failures labelled ECONNREFUSED");
        Map<String, Double> after = MetricsScrapes.parse(scrapeQuietly(metricsPort));
        assertThat(after).containsEntry("sockact_proxy_connections_accepted_total{}", (double) clients)
                .containsEntry("sockact_proxy_connect_failures_total{errno=ETIMEDOUT}", 0.0)
                .containsEntry("sockact_proxy_resolve_failures_total{}", 0.0)
                .containsEntry("sockact_proxy_connect_duration_seconds_count{}", 0.0);
        assertThat(after.keySet().stream().filter(k -> k.startsWith("sockact_proxy_connect_failures_total")))
                .as("no other errno").hasSize(2);
    }

    @Test
    void datagramSessionsOpenExpireAndAreRefusedAtTheBound() throws Exception {
        MetricsScrapes.assumeParser();
        InetAddress loopback = InetAddress.getLoopbackAddress();
        DatagramSocket backend = keep(new DatagramSocket(new InetSocketAddress(loopback, 0)));
        Thread.ofPlatform().daemon().start(() -> echoDatagrams(backend));
        int port = ProxyProcess.freePort();
        int metricsPort = ProxyProcess.freePort();
        ProxyProcess proxy = keep(ProxyProcess.start(dir, List.of(ProxyProcess.OUR_PROXYD,
                "--listen-datagram=127.0.0.1:" + port, "-c", "2", "--connection-idle-time=2s",
                "--metrics=127.0.0.1:" + metricsPort, "127.0.0.1:" + backend.getLocalPort())));
        // The endpoint starts after the listeners are bound: from then on a datagram waits for the proxy.
        proxy.awaitCondition(() -> parseQuietly(metricsPort) != null, "the metrics endpoint answers");
        InetSocketAddress proxyAddress = new InetSocketAddress(loopback, port);
        byte[] payload = new byte[100];
        DatagramSocket a = keep(new DatagramSocket(new InetSocketAddress(loopback, 0)));
        DatagramSocket b = keep(new DatagramSocket(new InetSocketAddress(loopback, 0)));
        for (DatagramSocket client : List.of(a, b)) {
            client.setSoTimeout((int) ProxyProcess.DEADLINE.toMillis());
            client.send(new DatagramPacket(payload, payload.length, proxyAddress));
            client.receive(new DatagramPacket(new byte[200], 200));
        }
        DatagramSocket c = keep(new DatagramSocket(new InetSocketAddress(loopback, 0)));
        for (int i = 0; i < 3; i++) {
            c.send(new DatagramPacket(payload, payload.length, proxyAddress));
        }
        proxy.awaitCondition(() -> {
            Map<String, Double> now = parseQuietly(metricsPort);
            return now != null && now.get("sockact_proxy_datagram_sessions_refused_total{}") == 3;
        }, "the third client's 3 datagrams refused a session");
        Map<String, Double> during = MetricsScrapes.parse(scrapeQuietly(metricsPort));
        assertThat(during).containsEntry("sockact_proxy_datagram_sessions_open{}", 2.0)
                .containsEntry("sockact_proxy_datagram_sessions_opened_total{}", 2.0)
                .containsEntry("sockact_proxy_connections_open{}", 2.0);
        // The echo's bytes: written back by a copy (sendmsg), never by splice.
        assertThat(during.get("sockact_proxy_forwarded_bytes_total{direction=to_client,method=copy}"))
                .isEqualTo(2.0 * payload.length);
        assertThat(during.get("sockact_proxy_forwarded_bytes_total{direction=to_target,method=copy}"))
                .isEqualTo(2.0 * payload.length);
        proxy.awaitCondition(() -> {
            Map<String, Double> now = parseQuietly(metricsPort);
            return now != null && now.get("sockact_proxy_datagram_sessions_expired_total{}") == 2;
        }, "both sessions to expire");
        Map<String, Double> after = MetricsScrapes.parse(scrapeQuietly(metricsPort));
        assertThat(after).containsEntry("sockact_proxy_datagram_sessions_open{}", 0.0)
                .containsEntry("sockact_proxy_connections_open{}", 0.0);
        during.forEach((name, value) -> {
            if (name.contains("_total")) {
                assertThat(after.get(name)).as(name).isGreaterThanOrEqualTo(value);
            }
        });
    }

    private static void echoDatagrams(DatagramSocket socket) {
        DatagramPacket packet = new DatagramPacket(new byte[65536], 65536);
        try {
            while (true) {
                packet.setLength(65536);
                socket.receive(packet);
                socket.send(new DatagramPacket(packet.getData(), packet.getLength(), packet.getSocketAddress()));
            }
        } catch (IOException e) {
            // closed
        }
    }

    /** Bytes written towards {@code direction}, by splice and by copy. */
    private static double forwarded(Map<String, Double> samples, String direction) {
        return samples.get("sockact_proxy_forwarded_bytes_total{direction=" + direction + ",method=copy}")
                + samples.get("sockact_proxy_forwarded_bytes_total{direction=" + direction + ",method=splice}");
    }

    private static Map<String, Double> parseQuietly(int port) {
        String text = scrapeQuietly(port);
        try {
            return text == null ? null : MetricsScrapes.parse(text);
        } catch (Exception e) {
            return null;
        }
    }

    private static String scrapeQuietly(int port) {
        try {
            MetricsScrapes.Response response = MetricsScrapes.get(port, "/metrics");
            return response.status() == 200 ? response.body() : null;
        } catch (Exception e) {
            return null;
        }
    }
}
