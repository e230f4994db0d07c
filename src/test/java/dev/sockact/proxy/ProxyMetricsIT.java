package dev.sockact.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sockact.metrics.MetricsScrapes;
import dev.sockact.proxy.TestBackends.Backend;
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
            String text = scrapeQuietly(metricsPort);
            return text != null && text.contains("sockact_proxy_forwarded_bytes_total{direction=\"to_client\"} "
                    + 3 * message.length + "\n");
        }, "every byte counted");
        Map<String, Double> during = MetricsScrapes.parse(scrapeQuietly(metricsPort));
        assertThat(during).containsEntry("sockact_proxy_connections_open{}", 3.0)
                .containsEntry("sockact_proxy_connections_accepted_total{}", 3.0)
                .containsEntry("sockact_proxy_connections_refused_total{}", 1.0);
        assertThat(during.get("sockact_proxy_forwarded_bytes_total{direction=to_target}"))
                .isGreaterThanOrEqualTo(3.0 * message.length);
        assertThat(during.get("sockact_proxy_forwarded_bytes_total{direction=to_client}"))
                .isGreaterThanOrEqualTo(3.0 * message.length);
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

    private static String scrapeQuietly(int port) {
        try {
            MetricsScrapes.Response response = MetricsScrapes.get(port, "/metrics");
            return response.status() == 200 ? response.body() : null;
        } catch (Exception e) {
            return null;
        }
    }
}
