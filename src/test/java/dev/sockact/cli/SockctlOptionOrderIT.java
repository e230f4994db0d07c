package dev.sockact.cli;

import dev.sockact.ctl.ControlClient;
import dev.sockact.ctl.ControlCodec;
import dev.sockact.ctl.Reply;
import dev.sockact.ctl.Request;
import dev.sockact.testing.DaemonProcess;
import dev.sockact.testing.Daemons;
import dev.sockact.testing.Sockctl;
import dev.sockact.testing.Sockctl.Run;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.sockact.testing.DaemonProcess.echoService;
import static dev.sockact.testing.Ports.freeTcpPort;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * sockctl's global options (--control-socket, --user, -o/--output) go before or after the verb, as systemctl's do,
 * against a real bin/sockactd; --output=json prints the reply's records through the control protocol's codec.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class SockctlOptionOrderIT {
    @TempDir
    Path dir;

    @RegisterExtension
    final Daemons daemons = new Daemons(() -> dir);

    private Run sockctl(String... args) throws Exception {
        return Sockctl.sockctl(dir, args);
    }

    @Test
    void globalOptionsBeforeOrAfterTheVerb() throws Exception {
        Path units = daemons.units();
        int port = freeTcpPort();
        Files.writeString(units.resolve("web.socket"), "[Socket]\nListenStream=127.0.0.1:" + port + "\n");
        Files.writeString(units.resolve("web.service"), "[Service]\nExecStart=" + echoService("--clients 1") + "\n");
        DaemonProcess d = daemons.start();
        d.await("Listening on web.socket.");
        String control = daemons.controlSocket().toString();

        Run before = sockctl("--control-socket", control, "list");
        Run after = sockctl("list", "--control-socket", control);
        assertThat(before.status()).as(before.err()).isZero();
        assertThat(before.err()).isEmpty();
        assertThat(before.out()).contains("127.0.0.1:" + port + " web.socket web.service").isEqualTo(after.out());

        Run jsonFirst = sockctl("-o", "json", "show", "web.socket", "--control-socket", control);
        Run jsonLast = sockctl("show", "web.socket", "--control-socket", control, "--output=json");
        Run allFirst = sockctl("--output=json", "--control-socket", control, "show", "web.socket");
        assertThat(jsonFirst.status()).as(jsonFirst.err()).isZero();
        assertThat(jsonFirst.out()).startsWith("[{\"unit\":\"web.socket\",\"properties\":{\"Id\":\"web.socket\",")
                .isEqualTo(jsonLast.out()).isEqualTo(allFirst.out());

        Run status = sockctl("status", "web.socket", "--control-socket", control);
        assertThat(status.status()).as(status.err()).isZero();
        assertThat(status.out()).startsWith("● web.socket\n").contains("Active: active (listening)")
                .containsPattern("sockactd\\[\\d+\\]: Listening on web.socket.\n");
        // -o cat, as systemctl's: the log lines' text alone, the rest as it was.
        Run cat = sockctl("status", "web.socket", "-o", "cat", "--control-socket", control);
        assertThat(cat.out()).startsWith("● web.socket\n").endsWith("\n\nListening on web.socket.\n");
        assertThat(sockctl("--control-socket", control, "status", "web.socket").out()).startsWith("● web.socket\n");

        Run stop = sockctl("--control-socket", control, "stop", "web.socket");
        assertThat(stop.status()).as(stop.err()).isZero();
        assertThat(sockctl("-o", "json", "--control-socket", control, "list", "--all").out())
                .contains("\"active\":\"inactive\"");

        Run unknown = sockctl("-o", "yaml", "--control-socket", control, "list");
        assertThat(unknown.status()).isEqualTo(1);
        assertThat(unknown.err()).isEqualTo("Unknown output 'yaml'.\n");
    }

    @Test
    void outputJsonIsTheCodecsData() throws Exception {
        Path units = daemons.units();
        Files.writeString(units.resolve("a.socket"), "[Unit]\nDescription=A\n\n[Socket]\nListenStream="
                + dir.resolve("a.sock") + "\n");
        Files.writeString(units.resolve("a.service"), "[Service]\nExecStart=" + echoService("--clients 1") + "\n");
        DaemonProcess d = daemons.start();
        d.await("Listening on A.");
        String control = daemons.controlSocket().toString();
        ControlClient client = new ControlClient(daemons.controlSocket(), 30_000);

        assertThat(sockctl("-o", "json", "list", "--control-socket", control).out().strip())
                .isEqualTo(ControlCodec.data(client.call(new Request.ListSockets())));
        assertThat(sockctl("-o", "json", "list-units", "--all", "--control-socket", control).out().strip())
                .isEqualTo(ControlCodec.data(client.call(new Request.ListUnits())));
        Reply listed = client.call(new Request.Status(List.of("a.socket", "nope.socket"), 0));
        Run status = sockctl("--output=json", "status", "a.socket", "nope.socket", "-n", "0", "--control-socket",
                control);
        assertThat(status.status()).isEqualTo(4);
        assertThat(ControlCodec.decodeReply("{\"version\":1,\"reply\":\"status\",\"status\":4,\"data\":"
                + status.out().strip() + "}")).isEqualTo(listed);
    }
}
