package dev.sockact.cli;

import dev.sockact.ctl.ControlClient;
import dev.sockact.ctl.Json;
import dev.sockact.posix.Processes;
import dev.sockact.posix.Signals;
import dev.sockact.testing.Await;
import dev.sockact.ctl.Reply;
import dev.sockact.testing.Clients;
import dev.sockact.testing.DaemonProcess;
import dev.sockact.testing.Daemons;
import dev.sockact.testing.Sockctl;
import dev.sockact.testing.Sockctl.Run;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.sockact.testing.DaemonProcess.echoService;
import static dev.sockact.testing.DaemonProcess.talk;
import static dev.sockact.testing.Ports.freeTcpPort;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * bin/sockctl against a real bin/sockactd over its control socket: output shapes, exit codes, jobs, reload with the
 * fds kept, rights, protocol errors. Waits are deadlines, never timing assertions.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class SockctlControlIT {
    @TempDir
    Path dir;

    @RegisterExtension
    final Daemons daemons = new Daemons(() -> dir);
    private Path units;
    private int webPort;
    private int idlePort;

    private DaemonProcess daemon(String... extra) throws IOException {
        return daemons.start(extra);
    }

    private Run sockctl(String... args) throws IOException, InterruptedException {
        return Sockctl.sockctl(dir, args);
    }

    private Run run(List<String> command) throws IOException, InterruptedException {
        return Sockctl.run(dir, command);
    }

    /** sockctl with --control-socket of the daemon under test appended. */
    private Run ctl(String... args) throws IOException, InterruptedException {
        return daemons.ctl(args);
    }

    /** web.socket (TCP + AF_UNIX, with a drop-in) activating the echo service, and idle.socket. */
    private DaemonProcess standardDaemon(String... extra) throws Exception {
        units = daemons.units();
        webPort = freeTcpPort();
        idlePort = freeTcpPort();
        Files.writeString(units.resolve("web.socket"), "[Unit]\nDescription=Web socket\n\n[Socket]\nListenStream=127.0.0.1:"
                + webPort + "\nListenStream=" + dir.resolve("web.sock") + "\n");
        Files.createDirectories(units.resolve("web.socket.d"));
        Files.writeString(units.resolve("web.socket.d/extra.conf"), "[Socket]\nBacklog=64\n");
        Files.writeString(units.resolve("web.service"), "[Unit]\nDescription=Web service\n\n[Service]\nExecStart="
                + echoService("--clients 1") + "\nStandardOutput=journal\n");
        Files.writeString(units.resolve("idle.socket"), "[Socket]\nListenStream=127.0.0.1:" + idlePort + "\n");
        Files.writeString(units.resolve("idle.service"), "[Service]\nExecStart=" + echoService("--clients 1") + "\n");
        DaemonProcess d = daemon(extra);
        d.await("Listening on Web socket.");
        d.await("Listening on idle.socket.");
        return d;
    }

    @Test
    void listStatusShowAndCat() throws Exception {
        standardDaemon();
        String sock = dir.resolve("web.sock").toString();

        Run list = ctl("list");
        assertThat(list.status()).as(list.err()).isZero();
        String[][] rows = {
                {"LISTEN", "UNIT", "ACTIVATES"},
                {sock, "web.socket", "web.service"},
                {"127.0.0.1:" + Math.min(webPort, idlePort), webPort < idlePort ? "web.socket" : "idle.socket",
                        webPort < idlePort ? "web.service" : "idle.service"},
                {"127.0.0.1:" + Math.max(webPort, idlePort), webPort < idlePort ? "idle.socket" : "web.socket",
                        webPort < idlePort ? "idle.service" : "web.service"}};
        if (String.valueOf(webPort).length() != String.valueOf(idlePort).length()) {
            Arrays.sort(rows, 2, 4, (a, b) -> a[0].compareTo(b[0]));
        }
        int w0 = 0;
        int w1 = 0;
        for (String[] r : rows) {
            w0 = Math.max(w0, r[0].length());
            w1 = Math.max(w1, r[1].length());
        }
        StringBuilder expected = new StringBuilder();
        for (String[] r : rows) {
            expected.append(String.format(Locale.ROOT, "%-" + w0 + "s %-" + w1 + "s %s%n", r[0], r[1], r[2]));
        }
        expected.append("\n3 sockets listed.\nPass --all to see loaded but inactive sockets, too.\n");
        assertThat(list.out()).isEqualTo(expected.toString());
        assertThat(ctl("list-sockets", "--show-types").out()).startsWith(String.format(Locale.ROOT,
                "%-" + w0 + "s TYPE   %-" + w1 + "s ACTIVATES%n", "LISTEN", "UNIT"));

        Run json = ctl("list", "--output=json");
        assertThat(json.status()).isZero();
        List<?> parsed = (List<?>) Json.parse(json.out().strip());
        assertThat(parsed).hasSize(2);
        assertThat(((Map<?, ?>) parsed.get(0)).get("unit")).isIn("web.socket", "idle.socket");

        Run status = ctl("status", "web.socket");
        assertThat(status.status()).as(status.err()).isZero();
        assertThat(status.out()).startsWith("● web.socket - Web socket\n     Loaded: loaded ("
                        + units.resolve("web.socket") + "; static)\n    Drop-In: " + units.resolve("web.socket.d")
                        + "\n             └─extra.conf\n     Active: active (listening) since ")
                .contains("\n   Triggers: ○ web.service\n     Listen: 127.0.0.1:" + webPort + " (Stream)\n             "
                        + sock + " (Stream)\n Poll limit: 15 per 2s\nActivations: 0; trigger limit hit 0 times\n\n")
                .containsPattern("\\n\\w{3} \\d\\d \\d\\d:\\d\\d:\\d\\d \\S+ sockactd\\[\\d+\\]: Listening on Web socket\\.\\n");

        assertThat(talk(webPort, "hello")).endsWith("|hello");
        awaitOut(() -> ctl("status", "web.service"), "inactive (dead)");
        Run service = ctl("status", "web.service");
        assertThat(service.status()).isEqualTo(3);
        assertThat(service.out()).startsWith("○ web.service - Web service\n")
                .contains("\nTriggeredBy: ● web.socket\n")
                .containsPattern("java\\[\\d+\\]: echo service \\d+ up with 2 fds");   // the command's name
        Run both = ctl("status", "web.socket", "--output=json");
        Map<?, ?> socketJson = (Map<?, ?>) ((List<?>) Json.parse(both.out().strip())).get(0);
        assertThat(socketJson.get("active")).isEqualTo("active");
        assertThat(socketJson.get("sub")).isEqualTo("listening");

        Run missing = ctl("status", "nope.socket");
        assertThat(missing.status()).isEqualTo(4);
        assertThat(missing.err()).isEqualTo("Unit nope.socket could not be found.\n");

        Run show = ctl("show", "web.socket", "-p", "Id,ActiveState,SubState,LoadState,NAccepted,NConnections,NRefused,Listen,Result");
        assertThat(show.status()).isZero();
        assertThat(show.out()).isEqualTo("Id=web.socket\nLoadState=loaded\nActiveState=active\nSubState=listening\n"
                + "Listen=127.0.0.1:" + webPort + " (Stream)\nListen=" + sock + " (Stream)\nResult=success\n"
                + "NAccepted=0\nNConnections=0\nNRefused=0\n");
        Run showService = ctl("show", "web.service", "-p", "MainPID,ExecMainStartTimestamp,ActiveState");
        assertThat(showService.out()).containsPattern("ActiveState=inactive\nMainPID=0\n"
                + "ExecMainStartTimestamp=\\w{3} \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d \\w+\n");
        Run showJson = ctl("show", "web.socket", "-o", "json");
        Map<?, ?> props = (Map<?, ?>) ((Map<?, ?>) ((List<?>) Json.parse(showJson.out().strip())).get(0)).get("properties");
        assertThat(props.get("Listen")).isEqualTo(List.of("127.0.0.1:" + webPort + " (Stream)", sock + " (Stream)"));
        assertThat(ctl("show", "nope.socket").status()).isEqualTo(4);

        Run cat = ctl("cat", "web.socket");
        assertThat(cat.status()).isZero();
        assertThat(cat.out()).isEqualTo("# " + units.resolve("web.socket") + "\n"
                + Files.readString(units.resolve("web.socket")) + "\n# " + units.resolve("web.socket.d/extra.conf")
                + "\n[Socket]\nBacklog=64\n");
        Run catMissing = ctl("cat", "nope.socket");
        assertThat(catMissing.status()).isEqualTo(1);
        assertThat(catMissing.err()).isEqualTo("No files found for nope.socket.\n");
    }

    @Test
    void startStopAndRestartSocketsAndServices() throws Exception {
        DaemonProcess d = standardDaemon();
        Run stop = ctl("stop", "idle.socket");
        assertThat(stop.status()).as(stop.err()).isZero();
        assertThat(stop.out() + stop.err()).isEmpty();
        assertThat(Clients.connects(idlePort)).isFalse();
        assertThat(ctl("status", "idle.socket").status()).isEqualTo(3);
        assertThat(ctl("list").out()).doesNotContain("idle.socket").contains("2 sockets listed.");
        assertThat(ctl("list", "--all").out()).contains("idle.socket").contains("3 sockets listed.\n")
                .doesNotContain("Pass --all");

        assertThat(ctl("start", "idle.socket").status()).isZero();
        assertThat(ctl("status", "idle.socket").out()).contains("Active: active (listening)");
        assertThat(ctl("restart", "idle.socket").status()).isZero();
        assertThat(talk(idlePort, "again")).endsWith("|again");
        // Each start job and stop job says so, as systemd's do: the load's start, stop, start, restart.
        assertThat(ctl("journal", "-u", "idle.socket", "-o", "cat").out().lines())
                .containsExactly("Listening on idle.socket.", "Closed idle.socket.", "Listening on idle.socket.",
                        "Closed idle.socket.", "Listening on idle.socket.");

        // A service started by hand gets its socket's fds.
        Run start = ctl("start", "web.service");
        assertThat(start.status()).as(start.err()).isZero();
        Run running = ctl("status", "web.service");
        assertThat(running.status()).isZero();
        assertThat(running.out()).contains("Active: active (running) since ").containsPattern("Main PID: \\d+ \\(");
        assertThat(ctl("status", "web.socket").out()).contains("Active: active (running)");
        assertThat(talk(webPort, "byhand")).contains("fds=2").endsWith("|byhand");
        d.await("web.service: Deactivated successfully.");

        assertThat(ctl("start", "web.service").status()).isZero();
        assertThat(ctl("stop", "web.service").status()).isZero();
        assertThat(ctl("status", "web.service").status()).isEqualTo(3);
        assertThat(ctl("journal", "-u", "web.service").out()).containsOnlyOnce("Stopped Web service.");
        awaitOut(() -> ctl("status", "web.socket"), "active (listening)");

        // As systemd: a socket does not start while its service runs (the service holds the fds).
        assertThat(ctl("start", "web.service").status()).isZero();
        Run busy = ctl("restart", "web.socket");
        assertThat(busy.status()).isEqualTo(1);
        assertThat(busy.err()).isEqualTo("Job for web.socket failed.\nSee \"sockctl status web.socket\" and"
                + " sockactd's log for details.\n");
        d.await("web.socket: Socket service web.service already active, refusing.");
        assertThat(ctl("stop", "web.service").status()).isZero();
        assertThat(ctl("start", "web.socket").status()).isZero();
        assertThat(talk(webPort, "back")).endsWith("|back");

        Run unknown = ctl("start", "nope.socket");
        assertThat(unknown.status()).isEqualTo(5);
        assertThat(unknown.err()).isEqualTo("Failed to start nope.socket: Unit nope.socket not found.\n");
    }

    @Test
    void reloadKeepsUnchangedSocketsAndAppliesTheRest() throws Exception {
        DaemonProcess d = standardDaemon();
        long inode = listeningInode(webPort);
        assertThat(inode).isPositive();

        AtomicInteger failures = new AtomicInteger();
        AtomicInteger served = new AtomicInteger();
        Thread client = Thread.ofVirtual().start(() -> {
            for (int i = 0; i < 5; i++) {
                try {
                    if (talk(webPort, "during" + i).endsWith("|during" + i)) {
                        served.incrementAndGet();
                    }
                } catch (IOException e) {
                    failures.incrementAndGet();
                }
            }
        });
        Files.writeString(units.resolve("web.socket"), Files.readString(units.resolve("web.socket"))
                .replace("Description=Web socket", "Description=Web socket, reloaded") + "SocketMode=0600\n");
        Files.delete(units.resolve("idle.socket"));
        int newPort = freeTcpPort();
        Files.writeString(units.resolve("new.socket"), "[Socket]\nListenStream=127.0.0.1:" + newPort + "\n");
        Files.writeString(units.resolve("new.service"), "[Service]\nExecStart=" + echoService("--clients 1") + "\n");
        for (int i = 0; i < 5; i++) {
            Run reload = ctl("reload");
            assertThat(reload.status()).as(reload.err()).isZero();
        }
        client.join(DaemonProcess.DEADLINE_MS * 2);
        assertThat(failures.get()).as(d.log()).isZero();
        assertThat(served.get()).isEqualTo(5);

        assertThat(listeningInode(webPort)).isEqualTo(inode);
        assertThat(ctl("status", "web.socket").out()).startsWith("● web.socket - Web socket, reloaded\n");
        assertThat(ctl("show", "web.socket", "-p", "SocketMode").out()).isEqualTo("SocketMode=0600\n");
        assertThat(ctl("status", "idle.socket").status()).isEqualTo(4);
        assertThat(Clients.connects(idlePort)).isFalse();
        assertThat(talk(newPort, "new")).endsWith("|new");
        assertThat(ctl("journal", "-u", "new.socket").out()).as("a unit's journal begins before its first start")
                .contains("Listening on new.socket.");

        // A changed Listen= gets new fds; SIGHUP reloads as well.
        int movedPort = freeTcpPort();
        Files.writeString(units.resolve("new.socket"), "[Socket]\nListenStream=127.0.0.1:" + movedPort + "\n");
        // kill(2) directly, checked: a failed external `kill` would look like a lost SIGHUP.
        assertThat(Processes.kill((int) d.process.pid(), Signals.SIGHUP)).isTrue();
        d.await("Reloading.", 6);
        d.await("new.socket: Listen settings changed, restarting the socket");
        awaitOut(() -> ctl("status", "new.socket"), "127.0.0.1:" + movedPort + " (Stream)");
        assertThat(talk(movedPort, "moved")).endsWith("|moved");
        assertThat(listeningInode(webPort)).isEqualTo(inode);
        assertThat(d.terminate()).isZero();
    }

    @Test
    void errorsWithoutDaemonAndForForeignVersions() throws Exception {
        Path nowhere = dir.resolve("none/control.sock");
        Run run = sockctl("list", "--control-socket", nowhere.toString());
        assertThat(run.status()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("Failed to connect to sockactd at " + nowhere + ": No such file or directory\n");

        standardDaemon();
        ControlClient client = new ControlClient(daemons.controlSocket(), 30_000);
        Reply reply = client.exchange("{\"version\":2,\"command\":\"list\"}");
        assertThat(reply).isEqualTo(new Reply.Failure(1,
                "Control protocol version 2 is not supported by this sockactd (it speaks version 1)."));
        assertThat(failure(client.exchange("not json"))).startsWith("Bad request: invalid JSON");
        assertThat(failure(client.exchange("{\"version\":1,\"command\":\"" + "x".repeat(70_000) + "\"}")))
                .isEqualTo("Request too long (more than 65536 bytes).");
        assertThat(failure(client.exchange("{\"version\":1,\"command\":\"dance\"}")))
                .isEqualTo("Unknown command 'dance'.");
        assertThat(failure(client.exchange("{\"version\":1,\"command\":\"status\",\"units\":[1],\"lines\":1}")))
                .isEqualTo("Bad request: 'units' must be a list of strings.");
        // The daemon still answers after all that.
        assertThat(ctl("status", "web.socket").status()).isZero();
    }

    @Test
    void otherUsersMayReadButNotChange() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv"))
                && ProcessHandle.current().info().user().orElse("").equals("root"), "needs root and setpriv");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        standardDaemon("--control-socket-mode", "0666");
        List<String> nobody = List.of("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups");
        String control = daemons.controlSocket().toString();

        List<String> stop = new ArrayList<>(nobody);
        stop.addAll(List.of(Sockctl.PATH.toString(), "stop", "web.socket", "--control-socket", control));
        Run refused = run(stop);
        assertThat(refused.status()).as(refused.err()).isEqualTo(1);
        assertThat(refused.err()).isEqualTo("Failed to stop web.socket: Access denied (uid 65534 may only read;"
                + " changes need root or uid 0, the user sockactd runs as).\n");
        List<String> reload = new ArrayList<>(nobody);
        reload.addAll(List.of(Sockctl.PATH.toString(), "reload", "--control-socket", control));
        assertThat(run(reload).err()).startsWith("Failed to reload daemon: Access denied");

        List<String> status = new ArrayList<>(nobody);
        status.addAll(List.of(Sockctl.PATH.toString(), "status", "web.socket", "--control-socket", control));
        Run read = run(status);
        assertThat(read.status()).as(read.err()).isZero();
        assertThat(read.out()).contains("Active: active (listening)");
        assertThat(ctl("status", "web.socket").status()).isZero();
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    private interface Call {
        Run run() throws Exception;
    }

    /** Accept=yes sockets have no single service: list shows the template, status the counters. */
    @Test
    void listAndStatusOfAnAcceptingSocket() throws Exception {
        units = daemons.units();
        int port = freeTcpPort();
        Files.writeString(units.resolve("each.socket"), "[Socket]\nListenStream=127.0.0.1:" + port + "\nAccept=yes\n");
        Files.writeString(units.resolve("each@.service"), "[Service]\nExecStart=/bin/echo hello\nStandardOutput=socket\n");
        DaemonProcess d = daemon();
        d.await("Listening on each.socket.");
        try (Socket client = new Socket("127.0.0.1", port)) {
            assertThat(new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
                    .isEqualTo("hello\n");
        }

        Run list = ctl("list");
        assertThat(list.status()).as(list.err()).isZero();
        assertThat(list.out()).contains("127.0.0.1:" + port + " each.socket each@.service");
        awaitOut(() -> ctl("status", "each.socket"), "Accepted: 1; Connected: 0;");
        Run status = ctl("status", "each.socket");
        assertThat(status.status()).as(status.err()).isZero();
        assertThat(status.out()).contains("Active: active (listening)");
    }

    /** Stopping an Accept=yes socket closes its listener and stops the instances serving connections. */
    @Test
    void stoppingAnAcceptingSocketStopsItsInstances() throws Exception {
        units = daemons.units();
        int port = freeTcpPort();
        Files.writeString(units.resolve("hold.socket"), "[Socket]\nListenStream=127.0.0.1:" + port + "\nAccept=yes\n");
        Files.writeString(units.resolve("hold@.service"),
                "[Service]\nExecStart=/bin/sleep 600\nStandardInput=socket\nStandardOutput=socket\n");
        DaemonProcess d = daemon();
        d.await("Listening on hold.socket.");
        try (Socket client = new Socket("127.0.0.1", port)) {
            awaitOut(() -> ctl("status", "hold.socket"), "Connected: 1;");

            Run stop = ctl("stop", "hold.socket");
            assertThat(stop.status()).as(stop.err()).isZero();
            client.setSoTimeout((int) DaemonProcess.DEADLINE_MS);
            // The instance (sleep, holding the connection) was stopped: the client sees the end.
            assertThat(client.getInputStream().read()).isEqualTo(-1);
        }
        Run status = ctl("status", "hold.socket");
        assertThat(status.status()).isEqualTo(3);
        assertThat(status.out()).contains("Active: inactive (dead)");
        assertThat(Clients.connects(port)).isFalse();
    }

    /** The message of a failure reply. */
    private static String failure(Reply reply) {
        assertThat(reply).isInstanceOf(Reply.Failure.class);
        return ((Reply.Failure) reply).message();
    }

    private static void awaitOut(Call call, String text) {
        Await.until("'" + text + "' in sockctl's output", Duration.ofMillis(DaemonProcess.DEADLINE_MS),
                () -> call.run().out(), out -> out.contains(text));
    }

    /** The inode of the TCP socket listening on 127.0.0.1:port, from /proc/net/tcp (0 when none). */
    private static long listeningInode(int port) throws IOException {
        String local = String.format(Locale.ROOT, "0100007F:%04X", port);
        for (String line : Files.readAllLines(Path.of("/proc/net/tcp"), StandardCharsets.US_ASCII)) {
            String[] f = line.trim().split("\\s+");
            if (f.length > 9 && f[1].equals(local) && f[3].equals("0A")) {
                return Long.parseLong(f[9]);
            }
        }
        return 0;
    }
}
