package dev.sockact.daemon;

import dev.sockact.testing.Await;
import dev.sockact.testing.DaemonProcess;
import dev.sockact.testing.Daemons;
import dev.sockact.testing.NobodyHome;
import dev.sockact.testing.OutsideTmp;
import dev.sockact.testing.Privileges;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static dev.sockact.testing.Ports.freeTcpPort;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * PrivateNetwork=, PrivateTmp= and JoinsNamespaceOf= with bin/sockactd as root, real namespaces and real
 * services ({@link NamespaceProbe}, which reports what it sees and runs until its client says goodbye). The
 * refusal as an unprivileged --user manager runs sockactd as uid 65534 through setpriv.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class PrivateNamespacesIT {
    @TempDir
    Path dir;

    @RegisterExtension
    final Daemons daemons = new Daemons(() -> dir);

    @BeforeEach
    void needsRoot() {
        Privileges.assumeNamespaces();
    }

    /** ExecStart= of {@link NamespaceProbe}; its classes must be outside any private /tmp (see OutsideTmp). */
    private static String probe(String args) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path checkout = OutsideTmp.checkout();
        String cp = checkout.resolve("target/classes") + ":" + checkout.resolve("target/test-classes");
        return java + " --enable-native-access=ALL-UNNAMED -XX:-UsePerfData -XX:TieredStopAtLevel=1"
                + " -XX:+UseSerialGC -cp " + cp + " dev.sockact.daemon.NamespaceProbe " + args;
    }

    /** A client of a probe: its report, and the connection that keeps the probe running until {@link #bye}. */
    private record Client(Socket socket, Map<String, String> report) {
        static Client connect(int port) throws IOException {
            Socket s = new Socket();
            s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
            s.setSoTimeout((int) DaemonProcess.DEADLINE_MS);
            String line = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8))
                    .readLine();
            assertThat(line).as("the probe's report").isNotNull();
            return new Client(s, Arrays.stream(line.split(" ")).map(w -> w.split("=", 2))
                    .collect(Collectors.toMap(kv -> kv[0], kv -> kv[1])));
        }

        void bye() throws IOException {
            socket.getOutputStream().write("bye\n".getBytes(StandardCharsets.UTF_8));
            socket.close();
        }
    }

    private static String hostNetns() throws IOException {
        return Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString();
    }

    private static void assertUnreachableFromHost(int port) {
        assertThatThrownBy(() -> {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            }
        }).as("127.0.0.1:" + port + " from the host's namespace").isInstanceOf(ConnectException.class);
    }

    /** The private folders of {@code unit} under /tmp and /var/tmp, as the host sees them. */
    private static List<Path> privateFolders(String unit) throws IOException {
        List<Path> found = new ArrayList<>();
        for (Path parent : List.of(Path.of("/tmp"), Path.of("/var/tmp"))) {
            try (Stream<Path> entries = Files.list(parent)) {
                entries.filter(p -> p.getFileName().toString().matches("sockact-private-[0-9a-f]{32}-"
                        + unit.replace(".", "\\.") + "-[A-Za-z0-9]{6}")).forEach(found::add);
            }
        }
        return found;
    }

    private static boolean noPrivateFolders(String unit) {
        try {
            return privateFolders(unit).isEmpty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void privateNetworkHasOnlyLoopbackUpAndIsClosedToTheHostWhileThePassedSocketWorks() throws Exception {
        int port = freeTcpPort();
        int inner = freeTcpPort();
        Path units = daemons.units();
        Files.writeString(units.resolve("net.socket"), "[Socket]\nListenStream=127.0.0.1:" + port + "\n");
        Files.writeString(units.resolve("net.service"), "[Service]\nPrivateNetwork=yes\nExecStart="
                + probe("--listen " + inner) + "\n");
        DaemonProcess d = daemons.start();
        d.await("Listening on net.socket.");

        Client client = Client.connect(port);   // the socket-activated connection reaches the service
        assertThat(client.report()).as(d.log())
                .containsEntry("interfaces", "lo")
                .containsEntry("loopback", "ok");
        assertThat(client.report().get("netns")).isNotEqualTo(hostNetns());
        assertUnreachableFromHost(inner);
        client.bye();
        d.await("net.service: Deactivated successfully.");
        assertThat(d.terminate()).isZero();
    }

    @Test
    void privateTmpIsAFolderOfItsOwnRemovedWhenTheServiceStops() throws Exception {
        int port = freeTcpPort();
        String marker = "sockact-it-" + ProcessHandle.current().pid() + "-" + port;
        Path units = daemons.units();
        Files.writeString(units.resolve("tmp.socket"), "[Socket]\nListenStream=127.0.0.1:" + port + "\n");
        Files.writeString(units.resolve("tmp.service"), "[Service]\nPrivateTmp=yes\nExecStart="
                + probe("--write-tmp " + marker) + "\n");
        DaemonProcess d = daemons.start();
        d.await("Listening on tmp.socket.");

        Client client = Client.connect(port);
        assertThat(client.report()).as(d.log()).containsEntry("wrote", marker);
        assertThat(Path.of("/tmp", marker)).doesNotExist();
        assertThat(Path.of("/var/tmp", marker)).doesNotExist();
        List<Path> folders = privateFolders("tmp.service");
        assertThat(folders).hasSize(2);
        for (Path folder : folders) {
            assertThat(folder.resolve("tmp").resolve(marker)).exists();
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(folder))).isEqualTo("rwx------");
            assertThat(Files.getAttribute(folder.resolve("tmp"), "unix:mode")).isEqualTo(01777 | 0040000);
        }
        client.bye();
        d.await("tmp.service: Deactivated successfully.");
        Await.until("the private folders are removed", () -> noPrivateFolders("tmp.service"));
        assertThat(d.terminate()).isZero();
    }

    @Test
    void servicesJoiningEachOthersNamespacesShareLoopbackAndTmp() throws Exception {
        int serverPort = freeTcpPort();
        int clientPort = freeTcpPort();
        int inner = freeTcpPort();
        String marker = "sockact-it-joined-" + ProcessHandle.current().pid() + "-" + inner;
        Path units = daemons.units();
        Files.writeString(units.resolve("server.socket"), "[Socket]\nListenStream=127.0.0.1:" + serverPort + "\n");
        Files.writeString(units.resolve("server.service"), "[Service]\nPrivateNetwork=yes\nPrivateTmp=yes\nExecStart="
                + probe("--listen " + inner + " --write-tmp " + marker) + "\n");
        Files.writeString(units.resolve("client.socket"), "[Socket]\nListenStream=127.0.0.1:" + clientPort + "\n");
        // Named from this side only: the relation holds both ways, as systemd's.
        Files.writeString(units.resolve("client.service"), "[Unit]\nJoinsNamespaceOf=server.service\n"
                + "[Service]\nPrivateNetwork=yes\nPrivateTmp=yes\nExecStart="
                + probe("--connect " + inner + " --read-tmp " + marker) + "\n");
        DaemonProcess d = daemons.start();
        d.await("Listening on client.socket.");
        d.await("Listening on server.socket.");

        Client server = Client.connect(serverPort);
        assertThat(server.report()).as(d.log()).containsEntry("loopback", "ok");
        Client client = Client.connect(clientPort);
        assertThat(client.report()).as(d.log())
                .containsEntry("peer", "inner")
                .containsEntry("netns", server.report().get("netns"))
                .containsKey("tmp");
        assertThat(client.report().get("tmp")).startsWith("probe_");
        assertThat(client.report().get("netns")).isNotEqualTo(hostNetns());
        assertUnreachableFromHost(inner);
        assertThat(privateFolders("client.service")).isEmpty();   // one pair of folders, the server's
        assertThat(privateFolders("server.service")).hasSize(2);

        // The server stops; the namespace outlives it while the client runs, and its next start joins again.
        server.bye();
        d.await("server.service: Deactivated successfully.");
        assertThat(privateFolders("server.service")).hasSize(2);
        Client again = Client.connect(serverPort);
        assertThat(again.report()).as(d.log())
                .containsEntry("netns", client.report().get("netns"))
                .containsEntry("loopback", "ok");
        again.bye();
        client.bye();
        d.await("client.service: Deactivated successfully.");
        d.await("server.service: Deactivated successfully.", 2);
        Await.until("the shared private folders are removed", () -> noPrivateFolders("server.service"));
        assertThat(d.terminate()).isZero();
    }

    /**
     * As uid 65534 with --user: the keys load as supported, and each start of the service is refused with one
     * message per setting, failing with result 'resources' before anything runs.
     */
    @Test
    void anUnprivilegedUserManagerRefusesEachSetting() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "needs setpriv");
        try (NobodyHome nobody = NobodyHome.create()) {
            Path units = nobody.units();
            int port = freeTcpPort();
            Files.writeString(units.resolve("web.socket"), "[Socket]\nListenStream=127.0.0.1:" + port + "\n");
            Files.writeString(units.resolve("web.service"), "[Unit]\nJoinsNamespaceOf=db.service\n[Service]\n"
                    + "PrivateNetwork=yes\nPrivateTmp=yes\nExecStart=/bin/true\n");
            DaemonProcess d = daemons.track(nobody.startDaemon());
            d.await("Listening on web.socket.");
            assertThat(d.log()).doesNotContain("not supported");

            try (Socket _ = new Socket("127.0.0.1", port)) {
                d.await("web.service: Failed with result 'resources'.");
            }
            // The socket triggers again while the connection waits, until the start limit: look at the first start.
            String log = d.log();
            log = log.substring(0, log.indexOf("web.service: Failed with result 'resources'."));
            for (String setting : List.of("PrivateNetwork=yes", "PrivateTmp=yes", "JoinsNamespaceOf=db.service")) {
                assertThat(DaemonProcess.count(log, "web.service: " + setting
                        + " needs sockactd to run as root without --user, refusing to start.")).as(log).isEqualTo(1);
            }
            assertThat(log).doesNotContain("Failed at step");
            assertThat(d.terminate()).as(d.log()).isZero();
        }
    }
}
