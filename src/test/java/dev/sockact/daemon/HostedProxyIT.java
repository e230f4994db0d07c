package dev.sockact.daemon;

import dev.sockact.testing.Await;
import dev.sockact.testing.DaemonProcess;
import dev.sockact.testing.Sockctl;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.sockact.testing.Ports.freeTcpPort;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * socket-proxyd services that sockactd runs itself (see docs/sockactd.md, "Hosted socket-proxyd services"), under a
 * real bin/sockactd with real backends: --connect-retry= holding the first client while a Type=simple backend is
 * still binding (and systemd's default, no retry, against it), a target that is down disturbing nobody else, and
 * SIGTERM with hosted connections open. The nginx examples, hosted and not, are in {@link ProxyToNginxIT}.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class HostedProxyIT {
    private static final Path OURS = Path.of("bin/socket-proxyd").toAbsolutePath();
    private static final Path SYSTEMDS = Path.of("/lib/systemd/systemd-socket-proxyd");
    private static final Path SOCAT = Path.of("/usr/bin/socat");

    @TempDir
    Path dir;
    private Path units;
    private Path control;
    private DaemonProcess daemon;
    private final List<AutoCloseable> closeAtEnd = new ArrayList<>();

    @BeforeEach
    void setUp() throws IOException {
        units = Files.createDirectories(dir.resolve("units"));
        control = dir.resolve("control.sock");
    }

    @AfterEach
    void tearDown() throws Exception {
        if (daemon != null) {
            daemon.kill();
        }
        for (AutoCloseable c : closeAtEnd) {
            c.close();
        }
    }

    @Test
    void connectRetryHoldsTheFirstClientUntilASlowBackendListens() throws Exception {
        assumeTrue(Files.isExecutable(SOCAT), "socat is not installed");
        int backend = freeTcpPort();
        // Type=simple is "started" at once; this one binds a second later.
        write("slow-echo.service", """
                [Unit]
                StopWhenUnneeded=yes
                [Service]
                ExecStart=/bin/sh -c 'sleep 1; exec %s TCP-LISTEN:%d,bind=127.0.0.1,reuseaddr,fork EXEC:cat'
                SuccessExitStatus=143
                """.formatted(SOCAT, backend));
        int retrying = proxy("retrying", OURS, "--connect-retry=10s 127.0.0.1:" + backend, "slow-echo.service");
        startDaemon();

        assertThat(echo(retrying, "first client")).as(daemon.log()).isEqualTo("first client");
        assertThat(daemon.log()).contains("retrying.service: Forwarding to 127.0.0.1:" + backend + " inside sockactd")
                .doesNotContain("Failed to connect");
    }

    @Test
    void withoutConnectRetryTheClientIsClosedAsSystemdsProxyDoes() throws Exception {
        assumeTrue(Files.isExecutable(SYSTEMDS), "systemd-socket-proxyd is not installed");
        int down = freeTcpPort();
        int hostedSystemd = proxy("systemds", SYSTEMDS, "127.0.0.1:" + down, null);
        int processSystemd = proxy("systemds-process", SYSTEMDS, "127.0.0.1:" + down, null,
                "X-SockactHostProxy=no");
        startDaemon();

        // The same scenario, hosted and in systemd's own process: the client sees the end, nothing else.
        assertThat(readAll(processSystemd, "hello\n")).isEmpty();
        assertThat(readAll(hostedSystemd, "hello\n")).isEmpty();
        daemon.await("systemds.service: Failed to connect to remote host 127.0.0.1:" + down + ": ECONNREFUSED");
    }

    @Test
    void aTargetThatIsDownDisturbsNeitherAnotherProxyNorAnAcceptSocket() throws Exception {
        EchoBackend backend = new EchoBackend();
        closeAtEnd.add(backend);
        int down = freeTcpPort();
        int broken = proxy("broken", OURS, "--connect-retry=200ms 127.0.0.1:" + down, null);
        int working = proxy("working", OURS, "127.0.0.1:" + backend.port(), null);
        int accept = freeTcpPort();
        write("cat.socket", "[Socket]\nListenStream=127.0.0.1:" + accept + "\nAccept=yes\n");
        write("cat@.service", "[Service]\nExecStart=/bin/cat\nStandardInput=socket\n");
        startDaemon();

        // A client held by the broken proxy's retry meanwhile, and more failing around the others.
        Socket held = new Socket();
        closeAtEnd.add(held);
        held.connect(new InetSocketAddress("127.0.0.1", broken), 10_000);
        for (int i = 0; i < 5; i++) {
            assertThat(readAll(broken, "x\n")).isEmpty();
            assertThat(echo(working, "working " + i)).isEqualTo("working " + i);
            assertThat(echo(accept, "accept " + i)).isEqualTo("accept " + i);
        }
        daemon.await("broken.service: Failed to connect to remote host 127.0.0.1:" + down);
        assertThat(active("broken.service")).isEqualTo("active");
        assertThat(active("working.service")).isEqualTo("active");
        assertThat(daemon.process.isAlive()).isTrue();
    }

    @Test
    void sigtermStopsTheHostedProxiesAndClosesTheirConnections() throws Exception {
        EchoBackend backend = new EchoBackend();
        closeAtEnd.add(backend);
        int port = proxy("open", OURS, "127.0.0.1:" + backend.port(), null);
        startDaemon();
        List<Socket> clients = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Socket s = new Socket();
            closeAtEnd.add(s);
            s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
            s.setSoTimeout((int) DaemonProcess.DEADLINE_MS);
            s.getOutputStream().write(("open " + i + "\n").getBytes(StandardCharsets.UTF_8));
            assertThat(new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8)).readLine())
                    .isEqualTo("open " + i);
            clients.add(s);
        }
        Run status = ctl("status", "open.service");
        assertThat(status.out()).contains("inside sockactd (no process): 3 open");

        String log = daemon.terminateAndReadLog();
        assertThat(daemon.process.exitValue()).as(log).isZero();
        assertThat(log).contains("open.service: Deactivated successfully.").doesNotContain("Failed with result");
        for (Socket s : clients) {
            assertThat(s.getInputStream().read()).as("the client sees the end").isEqualTo(-1);
        }
        Await.until("the backend's connections closed", () -> backend.open() == 0);
    }

    /**
     * A datagram socket and a stream socket of one service, each to its own target by FileDescriptorName=
     * (NAME=TARGET), forwarded by sockactd itself: each client gets its own echo, and the status says both.
     */
    @Test
    void aDatagramSocketAndNamedTargetsAreHosted() throws Exception {
        EchoBackend tcp = new EchoBackend();
        closeAtEnd.add(tcp);
        DatagramSocket udpBackend = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        closeAtEnd.add(udpBackend);
        Thread.ofPlatform().daemon().start(() -> {
            byte[] buffer = new byte[2048];
            while (!udpBackend.isClosed()) {
                try {
                    DatagramPacket p = new DatagramPacket(buffer, buffer.length);
                    udpBackend.receive(p);
                    udpBackend.send(new DatagramPacket(p.getData(), p.getLength(), p.getSocketAddress()));
                } catch (IOException e) {
                    return;
                }
            }
        });
        int udp;
        try (DatagramSocket probe = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            udp = probe.getLocalPort();
        }
        int stream = freeTcpPort();
        write("dns.socket", "[Socket]\nListenDatagram=127.0.0.1:" + udp + "\nFileDescriptorName=dns\n"
                + "Service=multi.service\n");
        write("web.socket", "[Socket]\nListenStream=127.0.0.1:" + stream + "\nFileDescriptorName=web\n"
                + "Service=multi.service\n");
        write("multi.service", "[Service]\nSockets=dns.socket web.socket\nExecStart=" + OURS + " dns=127.0.0.1:"
                + udpBackend.getLocalPort() + " web=127.0.0.1:" + tcp.port() + "\n");
        startDaemon();

        try (DatagramSocket client = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            client.setSoTimeout((int) DaemonProcess.DEADLINE_MS);
            byte[] query = "query".getBytes(StandardCharsets.UTF_8);
            client.send(new DatagramPacket(query, query.length, new InetSocketAddress("127.0.0.1", udp)));
            DatagramPacket reply = new DatagramPacket(new byte[100], 100);
            client.receive(reply);
            assertThat(new String(reply.getData(), 0, reply.getLength(), StandardCharsets.UTF_8)).isEqualTo("query");
        }
        assertThat(echo(stream, "web client")).isEqualTo("web client");
        assertThat(daemon.log()).contains("multi.service: Forwarding to dns=127.0.0.1:" + udpBackend.getLocalPort()
                + ", web=127.0.0.1:" + tcp.port() + " inside sockactd");
        // The stream client has closed (its connection ends soon after); the datagram session lasts its idle time.
        Await.until("the status with one session open", Duration.ofSeconds(20), () -> ctl("status", "multi.service").out(),
                out -> out.contains("inside sockactd (no process): 1 open, 1 accepted, 1 datagram sessions"));
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    private record Run(int status, String out) {
    }

    /** NAME.socket on a free port and NAME.service running {@code program arguments}; returns the port. */
    private int proxy(String name, Path program, String arguments, String backend, String... serviceLines)
            throws IOException {
        assumeTrue(Files.isExecutable(program), program + " is not installed");
        int port = freeTcpPort();
        write(name + ".socket", "[Socket]\nListenStream=127.0.0.1:" + port + "\n");
        String unit = backend == null ? "" : "[Unit]\nRequires=" + backend + "\nAfter=" + backend + "\n";
        write(name + ".service", unit + "[Service]\nExecStart=" + program + " " + arguments + "\n"
                + String.join("\n", serviceLines) + "\n");
        return port;
    }

    private void write(String name, String text) throws IOException {
        Files.writeString(units.resolve(name), text);
    }

    /** sockactd, once every socket unit written listens. */
    private void startDaemon() throws Exception {
        daemon = DaemonProcess.start(units, control);
        try (var files = Files.list(units)) {
            for (Path socket : files.filter(f -> f.toString().endsWith(".socket")).toList()) {
                String name = socket.getFileName().toString();
                daemon.await(name + ": Changed dead -> listening");
            }
        }
        Await.until("control socket", () -> Files.exists(control));
    }

    private String active(String unit) throws Exception {
        return ctl("show", "-p", "ActiveState", unit).out().strip().replace("ActiveState=", "");
    }

    private Run ctl(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(args));
        command.add("--control-socket");
        command.add(control.toString());
        Sockctl.Run run = Sockctl.sockctl(dir, command.toArray(String[]::new));
        return new Run(run.status(), run.out());
    }

    /** Sends a line, returns the line that comes back. */
    private static String echo(int port, String line) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
            s.setSoTimeout((int) DaemonProcess.DEADLINE_MS);
            s.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
            return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8)).readLine();
        }
    }

    /** Sends {@code text}, then reads until the end. */
    private static String readAll(int port, String text) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
            s.setSoTimeout((int) DaemonProcess.DEADLINE_MS);
            s.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
            try (InputStream in = s.getInputStream()) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (java.net.SocketException reset) {
                return "";   // closed with unread data: a reset, the end all the same
            }
        }
    }

    /** A loopback echo server, one thread per connection; counts the connections open. */
    private static final class EchoBackend implements AutoCloseable {
        private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        private final java.util.concurrent.atomic.AtomicInteger open = new java.util.concurrent.atomic.AtomicInteger();

        EchoBackend() throws IOException {
            Thread.ofPlatform().daemon().name("echo-backend").start(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket s = server.accept();
                        open.incrementAndGet();
                        Thread.ofPlatform().daemon().start(() -> {
                            try (s) {
                                s.getInputStream().transferTo(s.getOutputStream());
                            } catch (IOException ignored) {
                                // the peer went away
                            } finally {
                                open.decrementAndGet();
                            }
                        });
                    } catch (IOException e) {
                        return;
                    }
                }
            });
        }

        int port() {
            return server.getLocalPort();
        }

        int open() {
            return open.get();
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
