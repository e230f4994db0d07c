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
        // The same count as sockctl show's NAccepted=.
        assertThat(daemons.ctl("show", "hi.socket", "-p", "NAccepted").out()).contains("NAccepted=" + clients);
        assertThat(daemon.log()).doesNotContain("Exception");
    }
}
