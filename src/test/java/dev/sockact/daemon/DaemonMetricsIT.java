package dev.sockact.daemon;

import static dev.sockact.testing.Ports.freeTcpPort;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sockact.metrics.MetricsScrapes;
import dev.sockact.testing.Await;
import dev.sockact.testing.DaemonProcess;
import dev.sockact.testing.Daemons;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * sockactd --metrics=: scraped with a real HTTP client while an Accept=yes socket serves real connections, every
 * scrape read by prometheus_client's parser, and the counts equal to what the test did and to sockctl show's.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DaemonMetricsIT {
    @TempDir
    Path dir;

    @RegisterExtension
    final Daemons daemons = new Daemons(() -> dir);

    @Test
    void acceptedConnectionsAndUnitStatesAreScraped() throws Exception {
        MetricsScrapes.assumeParser();
        int port = freeTcpPort();
        int metricsPort = freeTcpPort();
        Path units = daemons.units();
        Files.writeString(units.resolve("hi.socket"), """
                [Socket]
                ListenStream=127.0.0.1:%d
                Accept=yes
                """.formatted(port));
        Files.writeString(units.resolve("hi@.service"), """
                [Service]
                ExecStart=/bin/echo hi
                StandardInput=socket
                """);
        DaemonProcess daemon = daemons.start("--metrics=127.0.0.1:" + metricsPort);
        daemons.awaitControlSocket();

        // The control socket is bound before the endpoint listens: the first scrapes may be refused.
        Await.until("the metrics endpoint answers", () -> {
            try {
                return MetricsScrapes.get(metricsPort, "/metrics").status() == 200;
            } catch (IOException e) {
                return false;
            }
        });
        Map<String, Double> before = MetricsScrapes.parse(MetricsScrapes.get(metricsPort, "/metrics").body());
        assertThat(before).containsEntry("sockact_unit_state{state=active,unit=hi.socket}", 1.0)
                .containsEntry("sockact_unit_state{state=failed,unit=hi.socket}", 0.0)
                .containsEntry("sockact_socket_connections_accepted_total{unit=hi.socket}", 0.0)
                .containsEntry("sockact_units_snapshot_ok{}", 1.0);

        int clients = 5;
        for (int i = 0; i < clients; i++) {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                s.setSoTimeout(10_000);
                InputStream in = s.getInputStream();
                assertThat(new String(in.readAllBytes()).strip()).isEqualTo("hi");
            }
        }
        Map<String, Double> after = Await.until("every connection counted", Await.DEFAULT,
                () -> MetricsScrapes.parse(MetricsScrapes.get(metricsPort, "/metrics").body()),
                m -> m.get("sockact_socket_connections_open{unit=hi.socket}") == 0.0
                        && m.get("sockact_socket_connections_accepted_total{unit=hi.socket}") == clients);
        assertThat(after.get("sockact_socket_connections_refused_total{unit=hi.socket}")).isZero();
        assertThat(after.get("process_open_fds{}")).isPositive();
        before.forEach((name, value) -> {
            if (name.contains("_total")) {
                assertThat(after.get(name)).as(name).isGreaterThanOrEqualTo(value);
            }
        });
        // Each instance became active once after its connection came: one trigger-to-ready time each.
        assertThat(after).containsEntry("sockact_socket_trigger_to_ready_seconds_count{unit=hi.socket}",
                (double) clients);
        // The same counts as sockctl show's.
        assertThat(daemons.ctl("show", "hi.socket", "-p", "NAccepted,NActivations").out())
                .contains("NAccepted=" + clients, "NActivations=" + clients);
        assertThat(daemon.log()).doesNotContain("Exception");
    }

    @Test
    void limitHitsStartsAndFailuresAreScrapedAsSockctlShowsThem() throws Exception {
        MetricsScrapes.assumeParser();
        int triggered = freeTcpPort();
        int polled = freeTcpPort();
        int metricsPort = freeTcpPort();
        Path units = daemons.units();
        // The service never takes the connection and fails: the socket is readable again at once and triggers
        // again, until the trigger limit (2 per hour) stops it.
        Files.writeString(units.resolve("flap.socket"), """
                [Socket]
                ListenStream=127.0.0.1:%d
                TriggerLimitIntervalSec=1h
                TriggerLimitBurst=2
                """.formatted(triggered));
        Files.writeString(units.resolve("flap.service"), """
                [Service]
                ExecStart=/bin/false
                """);
        // Two polls a minute: the third connection pauses the listening fd.
        Files.writeString(units.resolve("poll.socket"), """
                [Socket]
                ListenStream=127.0.0.1:%d
                Accept=yes
                PollLimitIntervalSec=1min
                PollLimitBurst=2
                """.formatted(polled));
        Files.writeString(units.resolve("poll@.service"), """
                [Service]
                ExecStart=/bin/echo hi
                StandardInput=socket
                """);
        DaemonProcess daemon = daemons.start("--metrics=127.0.0.1:" + metricsPort);
        daemons.awaitControlSocket();
        awaitEndpoint(metricsPort);

        Socket waiting = new Socket(InetAddress.getLoopbackAddress(), triggered);
        Map<String, Double> hit = Await.until("the trigger limit hit", Await.DEFAULT,
                () -> scrape(metricsPort),
                m -> m.get("sockact_socket_trigger_limit_hits_total{unit=flap.socket}") == 1.0
                        && m.get("sockact_unit_state{state=failed,unit=flap.socket}") == 1.0);
        waiting.close();
        assertThat(hit).containsEntry("sockact_unit_result{result=trigger-limit-hit,unit=flap.socket}", 1.0)
                .containsEntry("sockact_service_starts_total{unit=flap.service}", 2.0)
                .containsEntry("sockact_service_failures_total{result=exit-code,unit=flap.service}", 2.0);
        assertThat(daemons.ctl("show", "flap.socket", "-p", "TriggerLimitHits").out()).contains("TriggerLimitHits=1");
        assertThat(daemons.ctl("show", "flap.service", "-p", "NStarts,NFailures").out())
                .contains("NStarts=2", "NFailures=exit-code:2");
        assertThat(daemons.ctl("status", "flap.service").out()).contains("Starts: 2; Restarts: 0; Failed: exit-code 2");

        for (int i = 0; i < 3; i++) {
            keepOpen(new Socket(InetAddress.getLoopbackAddress(), polled));
        }
        Map<String, Double> paused = Await.until("the poll limit hit", Await.DEFAULT, () -> scrape(metricsPort),
                m -> m.get("sockact_socket_poll_limit_hits_total{unit=poll.socket}") == 1.0);
        assertThat(paused).containsEntry("sockact_socket_connections_accepted_total{unit=poll.socket}", 2.0)
                .containsEntry("sockact_socket_trigger_limit_hits_total{unit=poll.socket}", 0.0);
        assertThat(daemons.ctl("show", "poll.socket", "-p", "PollLimitHits,NAccepted").out())
                .contains("PollLimitHits=1", "NAccepted=2");
        assertThat(daemons.ctl("status", "poll.socket").out()).contains("Poll limit: 2 per 1min; paused 1 time");
        hit.forEach((name, value) -> {
            if (name.endsWith("_total") || name.contains("_total{")) {
                assertThat(paused.get(name)).as(name).isGreaterThanOrEqualTo(value);
            }
        });
        assertThat(daemon.log()).doesNotContain("Exception");
    }

    @Test
    void hostedProxiesExportTheirFamiliesLabelledWithTheirUnit() throws Exception {
        MetricsScrapes.assumeParser();
        Path proxyd = Path.of("bin/socket-proxyd").toAbsolutePath();
        try (ServerSocket backend = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread.ofPlatform().daemon().start(() -> echo(backend));
            int forwarding = freeTcpPort();
            int refusing = freeTcpPort();
            int down = freeTcpPort();
            int metricsPort = freeTcpPort();
            Path units = daemons.units();
            Files.writeString(units.resolve("fwd.socket"), "[Socket]\nListenStream=127.0.0.1:" + forwarding + "\n");
            Files.writeString(units.resolve("fwd.service"), "[Service]\nExecStart=" + proxyd + " 127.0.0.1:"
                    + backend.getLocalPort() + "\n");
            Files.writeString(units.resolve("down.socket"), "[Socket]\nListenStream=127.0.0.1:" + refusing + "\n");
            Files.writeString(units.resolve("down.service"), "[Service]\nExecStart=" + proxyd + " 127.0.0.1:"
                    + down + "\n");
            DaemonProcess daemon = daemons.start("--metrics=127.0.0.1:" + metricsPort);
            daemons.awaitControlSocket();
            awaitEndpoint(metricsPort);

            int clients = 3;
            byte[] message = new byte[10_000];
            for (int i = 0; i < clients; i++) {
                try (Socket s = new Socket(InetAddress.getLoopbackAddress(), forwarding)) {
                    s.setSoTimeout(10_000);
                    s.getOutputStream().write(message);
                    s.shutdownOutput();
                    assertThat(s.getInputStream().readAllBytes()).hasSize(message.length);
                }
            }
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), refusing)) {
                s.setSoTimeout(10_000);
                assertThat(s.getInputStream().readAllBytes()).isEmpty();
            }
            Map<String, Double> m = Await.until("both hosted proxies counted", Await.DEFAULT,
                    () -> scrape(metricsPort),
                    now -> now.containsKey("sockact_proxy_connect_failures_total{errno=ECONNREFUSED,unit=down.service}")
                            && now.get("sockact_proxy_connect_failures_total{errno=ECONNREFUSED,unit=down.service}") == 1
                            && now.get("sockact_proxy_connections_open{unit=fwd.service}") == 0
                            && forwarded(now, "fwd.service", "to_client") == clients * message.length);
            assertThat(m).containsEntry("sockact_proxy_connections_accepted_total{unit=fwd.service}", (double) clients)
                    .containsEntry("sockact_proxy_connect_duration_seconds_count{unit=fwd.service}", (double) clients)
                    .containsEntry("sockact_proxy_connections_accepted_total{unit=down.service}", 1.0)
                    .containsEntry("sockact_proxy_connect_duration_seconds_count{unit=down.service}", 0.0)
                    .containsEntry("sockact_unit_state{state=active,unit=fwd.service}", 1.0);
            assertThat(forwarded(m, "fwd.service", "to_target")).isGreaterThanOrEqualTo(clients * message.length);
            assertThat(daemon.log()).contains("fwd.service: Forwarding to 127.0.0.1:" + backend.getLocalPort()
                    + " inside sockactd").doesNotContain("Exception");
        }
    }

    private final java.util.List<Socket> openAtEnd = new java.util.ArrayList<>();

    private void keepOpen(Socket socket) {
        openAtEnd.add(socket);
    }

    @org.junit.jupiter.api.AfterEach
    void closeSockets() throws IOException {
        for (Socket s : openAtEnd) {
            s.close();
        }
    }

    private static double forwarded(Map<String, Double> m, String unit, String direction) {
        return m.getOrDefault("sockact_proxy_forwarded_bytes_total{direction=" + direction + ",method=copy,unit=" + unit
                + "}", 0.0) + m.getOrDefault("sockact_proxy_forwarded_bytes_total{direction=" + direction
                + ",method=splice,unit=" + unit + "}", 0.0);
    }

    private static void echo(ServerSocket server) {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                Thread.ofPlatform().daemon().start(() -> {
                    try (s) {
                        s.getInputStream().transferTo(s.getOutputStream());
                    } catch (IOException e) {
                        // the peer went away
                    }
                });
            } catch (IOException e) {
                return;
            }
        }
    }

    private static void awaitEndpoint(int metricsPort) {
        Await.until("the metrics endpoint answers", () -> {
            try {
                return MetricsScrapes.get(metricsPort, "/metrics").status() == 200;
            } catch (IOException e) {
                return false;
            }
        });
    }

    private static Map<String, Double> scrape(int metricsPort) throws Exception {
        return MetricsScrapes.parse(MetricsScrapes.get(metricsPort, "/metrics").body());
    }
}
