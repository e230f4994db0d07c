package dev.sockact.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.sockact.posix.Fd;
import dev.sockact.posix.Io;
import dev.sockact.posix.Pidfd;
import dev.sockact.posix.SockAddr;
import dev.sockact.posix.Sockets;
import dev.sockact.testing.Await;
import dev.sockact.testing.ChildReport;
import dev.sockact.testing.Children;
import dev.sockact.testing.Clients;
import dev.sockact.testing.Launchers;
import dev.sockact.testing.Ports;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/socket-activate as a real process (the built jar, the launcher, the
 * JVM), with real clients on random loopback ports. Every process it starts
 * is killed after each test.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SocketActivateIT {
    @TempDir
    Path temp;

    private Children children;
    private int port;

    @BeforeEach
    void setUp() {
        children = new Children(temp);
        port = Ports.freeTcpPort();
    }

    @AfterEach
    void killEverything() {
        children.close();
    }

    private Children.Started socketActivate(String... args) {
        ProcessBuilder builder = new ProcessBuilder(Launchers.command(Launchers.socketActivate(), args));
        builder.environment().put("SOCKACT_TEST_SCRUBBED", "must not reach the program");
        builder.environment().put("LISTEN_FDS", "9");
        builder.environment().put("LISTEN_PID", "1");
        return children.start(builder);
    }

    private String address() {
        return "127.0.0.1:" + port;
    }

    @Test
    void withoutAcceptTheListenerIsHandedToTheProgramOnTheFirstConnection() throws IOException {
        Children.Started activate = socketActivate("-l", address(), "--fdname=web", "-E", "EXTRA=1",
                "sh", "-c", ChildReport.SCRIPT);
        activate.awaitStderr("Listening on " + address() + " as 3.");
        assertThat(activate.stdoutText()).as("nothing runs before a connection").isEmpty();

        try (Socket _ = new Socket(InetAddress.getLoopbackAddress(), port)) {
            activate.awaitStdout("end of report", Await.DEFAULT);
        }
        ChildReport report = new ChildReport(activate.stdoutText());

        assertThat(activate.exitCode()).isZero();
        assertThat(report.fds()).containsExactly(0, 1, 2, 3);
        assertThat(report.line("fd 3: ")).startsWith("socket:[");
        // Exec in place: the program is the very process we started, so LISTEN_PID is its own pid.
        assertThat(report.pid()).isEqualTo(activate.process().pid());
        Map<String, String> listen = new HashMap<>(report.listenVariables());
        // systemd 259: the pidfd ID of LISTEN_PID, where pidfds have one (listenPidfdIdIsTheProgramsOwnPidfdInode).
        assertThat(listen.remove("LISTEN_PIDFDID") != null)
                .isEqualTo(Pidfd.inodeId((int) ProcessHandle.current().pid()).isPresent());
        assertThat(listen).containsExactlyInAnyOrderEntriesOf(Map.of(
                "LISTEN_FDS", "1", "LISTEN_PID", Integer.toString(report.pid()), "LISTEN_FDNAMES", "web"));
        assertThat(report.variableNames()).contains("EXTRA", "PATH").doesNotContain("SOCKACT_TEST_SCRUBBED");
        assertThat(report.line("SigBlk:").trim()).isEqualTo("0000000000000000");
        assertThat(activate.stderrText()).contains("Communication attempt on fd 3.");
    }

    /**
     * systemd 258's socket-activate sends READY=1 once its sockets are bound (the installed 252 does not, so this
     * follows 258's release notes): after READY=1 a client connects at once, and the program has not run yet.
     */
    @Test
    void readyIsSentToNotifySocketOnceTheSocketsAreBound() throws Exception {
        Path notifyPath = temp.resolve("notify.sock");
        try (Arena arena = Arena.ofConfined();
             Fd notify = Sockets.socket(SockAddr.AF_UNIX, Sockets.SOCK_DGRAM | Sockets.SOCK_NONBLOCK, 0)) {
            Sockets.bind(notify, new SockAddr.UnixPath(notifyPath.toString()));
            ProcessBuilder builder = new ProcessBuilder(Launchers.command(Launchers.socketActivate(),
                    "-l", address(), "sh", "-c", ChildReport.SCRIPT));
            builder.environment().put("NOTIFY_SOCKET", notifyPath.toString());
            Children.Started activate = children.start(builder);
            MemorySegment buffer = arena.allocate(4096);
            String message = Await.until("READY=1 on " + notifyPath, Await.DEFAULT, () -> {
                long n = Io.readRaw(notify.fd(), buffer, buffer.byteSize());
                return n > 0 ? new String(buffer.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8)
                        : null;
            }, m -> m != null);
            assertThat(message).isEqualTo("READY=1");
            assertThat(activate.stdoutText()).as("nothing runs before a connection").isEmpty();
            try (Socket _ = new Socket(InetAddress.getLoopbackAddress(), port)) {
                activate.awaitStdout("end of report", Await.DEFAULT);
            }
            // The manager's socket is socket-activate's, not the program's.
            assertThat(new ChildReport(activate.stdoutText()).variableNames()).doesNotContain("NOTIFY_SOCKET");
        }
    }

    /**
     * systemd 259's LISTEN_PIDFDID (the installed 252 has none): the program compares it with the inode of a pidfd it
     * opens for itself (python3), and our own consumer side (ListenFdsProbe, a JVM) accepts the fds with it.
     */
    @Test
    void listenPidfdIdIsTheProgramsOwnPidfdInode() {
        assumeThat(Pidfd.inodeId((int) ProcessHandle.current().pid())).as("pidfs (Linux 6.9)").isPresent();
        assumeThat(Path.of("/usr/bin/python3")).as("python3").isExecutable();
        Children.Started python = socketActivate("--now", "-l", address(), "/usr/bin/python3", "-c",
                "import os; print(os.environ.get('LISTEN_PIDFDID'), os.fstat(os.pidfd_open(os.getpid())).st_ino)");
        python.awaitStdout("\n", Await.DEFAULT);
        String[] ids = python.stdoutText().strip().split(" ");
        assertThat(ids[0]).isNotEqualTo("None").isEqualTo(ids[1]);

        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Children.Started probe = socketActivate("--now", "-l", "127.0.0.1:" + Ports.freeTcpPort(), java,
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                "dev.sockact.activation.ListenFdsProbe");
        probe.awaitStdout("count=", Await.DEFAULT);
        assertThat(probe.exitCode()).isZero();
        assertThat(probe.stdoutText()).startsWith("count=1\n");
    }

    /**
     * The same for each program {@code -a} starts (through the LISTEN_PID trampoline): it reports its pid,
     * LISTEN_PID, LISTEN_PIDFDID and its own pidfd's inode on its connection and waits; meanwhile we open a pidfd for
     * that pid ourselves. All must agree.
     */
    @Test
    void listenPidfdIdOfAnAcceptChildIsItsOwnPidfdInode() throws IOException {
        assumeThat(Pidfd.inodeId((int) ProcessHandle.current().pid())).as("pidfs (Linux 6.9)").isPresent();
        assumeThat(Path.of("/usr/bin/python3")).as("python3").isExecutable();
        Children.Started activate = socketActivate("-l", address(), "-a", "/usr/bin/python3", "-c", """
                import os, socket
                conn = socket.socket(fileno=3)
                own = os.fstat(os.pidfd_open(os.getpid())).st_ino
                env = os.environ
                conn.sendall(f"{os.getpid()} {env.get('LISTEN_PID')} {env.get('LISTEN_PIDFDID')} {own}\\n".encode())
                conn.recv(1)
                """);
        activate.awaitStderr("Listening on " + address() + " as 3.");
        for (int i = 0; i < 2; i++) {
            try (Socket client = new Socket(InetAddress.getLoopbackAddress(), port)) {
                String line = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8))
                        .readLine();
                String[] report = line.split(" ");
                OptionalLong ours = Pidfd.inodeId(Integer.parseInt(report[0]));
                assertThat(ours).as(line).isPresent();
                String id = Long.toUnsignedString(ours.getAsLong());
                assertThat(report).containsExactly(report[0], report[0], id, id);
            }
        }
    }

    @Test
    void nowStartsTheProgramWithoutAConnection() {
        Children.Started activate = socketActivate("--now", "-l", address(), "-l", "@sockact-it-" + port,
                "sh", "-c", ChildReport.SCRIPT);

        ChildReport report = new ChildReport(awaitReport(activate));

        assertThat(activate.exitCode()).isZero();
        assertThat(report.fds()).containsExactly(0, 1, 2, 3, 4);
        assertThat(report.listenVariables()).containsEntry("LISTEN_FDS", "2")
                .containsEntry("LISTEN_PID", Long.toString(activate.process().pid()))
                .doesNotContainKey("LISTEN_FDNAMES");
    }

    @Test
    void acceptInetdRunsCatPerConnection() throws IOException {
        Children.Started activate = socketActivate("-l", address(), "-a", "--inetd", "cat");
        activate.awaitStderr("Listening on " + address() + " as 3.");

        assertThat(Clients.exchange(port, "first client\n")).isEqualTo("first client\n");
        assertThat(Clients.exchange(port, "second client\nwith two lines\n")).isEqualTo("second client\nwith two lines\n");
        assertThat(activate.process().isAlive()).as("socket-activate -a keeps listening").isTrue();
        assertThat(activate.stderrText()).contains("Connection from 127.0.0.1:", " to " + address());
    }

    @Test
    void acceptGivesEachChildItsConnectionAsFd3WithItsOwnPid() throws IOException {
        Children.Started activate = socketActivate("-l", address(), "-a", "sh", "-c", ChildReport.scriptWritingTo(3));
        activate.awaitStderr("Listening on " + address() + " as 3.");

        ChildReport first = new ChildReport(Clients.read(port));
        ChildReport second = new ChildReport(Clients.read(port));

        for (ChildReport report : List.of(first, second)) {
            assertThat(report.complete()).as(report.text()).isTrue();
            assertThat(report.fds()).containsExactly(0, 1, 2, 3);
            Map<String, String> listen = new HashMap<>(report.listenVariables());
            // systemd 259's pidfd ID: listenPidfdIdOfAnAcceptChildIsItsOwnPidfdInode compares it.
            assertThat(listen.remove("LISTEN_PIDFDID") != null)
                    .isEqualTo(Pidfd.inodeId((int) ProcessHandle.current().pid()).isPresent());
            assertThat(listen).containsExactlyInAnyOrderEntriesOf(Map.of(
                    "LISTEN_FDS", "1", "LISTEN_PID", Integer.toString(report.pid())));
            assertThat(report.variableNames()).doesNotContain("SOCKACT_TEST_SCRUBBED");
            assertThat(report.line("SigBlk:").trim()).isEqualTo("0000000000000000");
        }
        assertThat(first.pid()).isNotEqualTo(second.pid());
    }

    @Test
    void systemdSocketProxydStartedByUsForwardsARequest() throws IOException {
        assumeThat(Launchers.installed(Launchers.SYSTEMD_SOCKET_PROXYD)).as("systemd-socket-proxyd installed").isTrue();
        try (Clients.Backend backend = new Clients.Backend()) {
            Children.Started activate = socketActivate("-l", address(),
                    Launchers.SYSTEMD_SOCKET_PROXYD.toString(), "127.0.0.1:" + backend.port());
            activate.awaitStderr("Listening on " + address() + " as 3.");

            // No half-close: systemd-socket-proxyd ends the whole connection at the client's EOF.
            String response = Clients.exchange(port, "GET /via-proxy HTTP/1.0\r\n\r\n", false);

            assertThat(response).startsWith("HTTP/1.0 200 OK\r\n").endsWith("backend saw: GET /via-proxy HTTP/1.0\n");
            assertThat(backend.served()).isEqualTo(1);
            assertThat(activate.process().isAlive()).as("the proxy keeps serving the listener it was given").isTrue();
        }
    }

    @Test
    void aBusyPortFailsAtOnceWithStatus1() throws IOException {
        try (ServerSocket _ = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            Children.Started activate = socketActivate("-l", address(), "true");

            assertThat(activate.exitCode()).isEqualTo(1);
            // systemd's two lines, word for word.
            assertThat(activate.stderrText()).isEqualTo("Failed to listen on " + address() + ": Address already in use\n"
                    + "Failed to open '" + address() + "': Address already in use\n");
        }
    }

    private static String awaitReport(Children.Started started) {
        started.awaitStdout("end of report", Await.DEFAULT);
        return started.stdoutText();
    }
}
