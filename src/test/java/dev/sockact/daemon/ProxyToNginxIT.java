package dev.sockact.daemon;

import dev.sockact.testing.Await;
import dev.sockact.testing.Clients;
import dev.sockact.testing.DaemonProcess;
import dev.sockact.testing.OutsideTmp;
import dev.sockact.testing.Privileges;
import dev.sockact.testing.Sockctl;
import dev.sockact.testing.Sockctl.Run;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static dev.sockact.testing.Ports.freeTcpPort;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The examples of systemd-socket-proxyd(8), as the files in examples/ hold them, end to end under bin/sockactd with
 * a real nginx (Type=forking, Debian's unit file), once with systemd's proxy and once with bin/socket-proxyd:
 * {@code sockctl enable --now proxy-to-nginx.socket}, then HTTP requests through the socket's port. The files are
 * used as they are, but for what a test must change: the port (a free one instead of 80), the paths under /run,
 * /etc/nginx and /var/log/nginx (into the test's folder), the proxy's path, nginx's port inside the namespace (one
 * known free on the host, so "unreachable from the host" means something) and a short idle time.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ProxyToNginxIT {
    private static final Path NGINX = Path.of("/usr/sbin/nginx");
    private static final Path EXAMPLES = Path.of("examples").toAbsolutePath();
    private static final String BODY = "Hello from nginx, through proxy-to-nginx.socket\n";

    /** Which ExecStart=, and whether sockactd hosts it (the default) or spawns it (X-SockactHostProxy=no). */
    enum Proxy {
        SYSTEMD,
        SOCKACT,
        SYSTEMD_PROCESS,
        SOCKACT_PROCESS;

        /** Resolved when used: ours from where a PrivateTmp= service can see it (a test that is skipped copies nothing). */
        Path program() {
            return this == SYSTEMD || this == SYSTEMD_PROCESS ? Path.of("/lib/systemd/systemd-socket-proxyd")
                    : OutsideTmp.checkout().resolve("bin/socket-proxyd");
        }

        boolean hosted() {
            return this == SYSTEMD || this == SOCKACT;
        }
    }

    /** Not under /tmp: both services have PrivateTmp=yes and would not see it (see OutsideTmp). */
    private Path dir;
    private Path units;
    private Path control;
    private DaemonProcess daemon;
    private final List<Long> seen = new ArrayList<>();

    @BeforeEach
    void needsNginxAndRoot() throws IOException {
        assumeTrue(Files.isExecutable(NGINX), "nginx is not installed (Debian: nginx-light)");
        Privileges.assumeNamespaces();   // PrivateNetwork=/PrivateTmp= need them
        dir = OutsideTmp.newFolder("proxy-to-nginx-");
        units = Files.createDirectories(dir.resolve("units"));
        control = dir.resolve("ctl/control.sock");
        Files.createDirectories(dir.resolve("log"));
        Files.createDirectories(dir.resolve("run"));   // stands in for /run, which the examples' paths are under
    }

    @AfterEach
    void cleanUp() throws IOException, InterruptedException {
        if (daemon != null) {
            daemon.kill();
        }
        if (dir != null) {
            OutsideTmp.deleteQuietly(dir);
        }
    }

    @ParameterizedTest
    @EnumSource(Proxy.class)
    void simpleExampleServesThroughTheUnixSocket(Proxy proxy) throws Exception {
        int port = install(proxy, "proxy-to-nginx", Map.of());
        startDaemonAndEnable(port);

        assertThat(get(port)).isEqualTo(BODY);
        assertActive("nginx.service", "proxy-to-nginx.service", "proxy-to-nginx.socket");
        assertThat(dir.resolve("run/nginx/socket")).exists();
        long master = rememberNginx();
        if (proxy.hosted()) {
            assertHosted("/run/nginx/socket");
        } else {
            assertThat(daemon.log()).contains("proxy-to-nginx.service: Spawning socket-proxyd as a process: "
                    + "X-SockactHostProxy=no");
            long proxyPid = mainPid("proxy-to-nginx.service");
            // The proxy has a network of its own and still reaches nginx through the file system.
            assertThat(netns(proxyPid)).isNotEqualTo(netns(ProcessHandle.current().pid()));
        }
        assertThat(netns(master)).isEqualTo(netns(ProcessHandle.current().pid()));
        assertThat(get(port)).isEqualTo(BODY);

        stopDaemonAndCheckNothingIsLeft();
    }

    @ParameterizedTest
    @EnumSource(Proxy.class)
    void namespaceExampleReachesNginxOnlyThroughTheSocket(Proxy proxy) throws Exception {
        int inner = freeTcpPort();
        int port = install(proxy, "proxy-to-nginx-namespace", Map.of("127.0.0.1:8080", "127.0.0.1:" + inner));
        assertUnreachableFromHost(inner);
        startDaemonAndEnable(port);

        assertThat(get(port)).isEqualTo(BODY);
        assertActive("nginx.service", "proxy-to-nginx.service", "proxy-to-nginx.socket");
        long master = rememberNginx();
        String host = netns(ProcessHandle.current().pid());
        if (proxy.hosted()) {
            // nginx listens on 127.0.0.1:inner only inside its namespace: the answer above came through a socket
            // that sockactd made in that namespace.
            assertHosted("127.0.0.1:" + inner);
            assertThat(netns(master)).isNotEqualTo(host);
        } else {
            assertThat(netns(master)).isNotEqualTo(host).isEqualTo(netns(mainPid("proxy-to-nginx.service")));
        }
        assertUnreachableFromHost(inner);
        assertThat(get(port)).isEqualTo(BODY);

        stopDaemonAndCheckNothingIsLeft();
    }

    @ParameterizedTest
    @EnumSource(Proxy.class)
    void idleExampleStopsBothAndTheNextClientStartsBothAgain(Proxy proxy) throws Exception {
        int port = install(proxy, "proxy-to-nginx", Map.of());
        // Long enough for the checks below to see both running on a loaded machine (a sockctl call is a JVM start).
        copyExample(proxy, "proxy-to-nginx-idle", Map.of("--exit-idle-time=30s", "--exit-idle-time=6s"));
        assertThat(Files.readString(units.resolve("proxy-to-nginx.service.d/exit-idle-time.conf")))
                .contains("--exit-idle-time=6s");
        startDaemonAndEnable(port);
        // StopWhenUnneeded= keeps nginx down until the proxy needs it.
        assertThat(active("nginx.service")).isEqualTo("inactive");

        for (int round = 1; round <= 2; round++) {
            assertThat(get(port)).as("request in round " + round + "\n" + daemon.log()).isEqualTo(BODY);
            rememberNginx();
            if (proxy.hosted()) {
                assertHosted("/run/nginx/socket");
            } else {
                seen.add(mainPid("proxy-to-nginx.service"));
            }
            // The proxy exits after 6 s without a connection, and nginx, no longer needed, stops with it.
            Await.until("both services inactive after the idle time", Duration.ofSeconds(60), () ->
                    activeQuietly("proxy-to-nginx.service").equals("inactive")
                            && activeQuietly("nginx.service").equals("inactive"));
            daemon.await("nginx.service: Unit not needed anymore. Stopping.", round);
            daemon.await("proxy-to-nginx.service: Deactivated successfully.", round);
            Run all = ctl("list-units", "--all");
            assertThat(all.out()).contains("nginx.service          loaded inactive dead")
                    .contains("proxy-to-nginx.service loaded inactive dead")
                    .contains("proxy-to-nginx.socket  loaded active   listening");
            assertThat(dir.resolve("run/nginx.pid")).doesNotExist();
            assertThat(seen).noneMatch(ProxyToNginxIT::alive);
        }
        stopDaemonAndCheckNothingIsLeft();
    }

    /**
     * Copies the example into the unit folder (nginx.conf beside it, as the units expect it at
     * /etc/nginx/proxy-to-nginx.conf), with the test's substitutions; returns the socket's port.
     */
    private int install(Proxy proxy, String example, Map<String, String> more) throws IOException {
        int port = freeTcpPort();
        Map<String, String> replace = new LinkedHashMap<>(more);
        replace.put("ListenStream=80\n", "ListenStream=" + port + "\n");
        copyExample(proxy, example, replace);
        Files.move(units.resolve("nginx.conf"), dir.resolve("nginx.conf"));
        if (!proxy.hosted()) {
            Path dropIn = Files.createDirectories(units.resolve("proxy-to-nginx.service.d"));
            Files.writeString(dropIn.resolve("process.conf"), "[Service]\nX-SockactHostProxy=no\n");
        }
        return port;
    }

    private void copyExample(Proxy proxy, String example, Map<String, String> more) throws IOException {
        assumeTrue(Files.isExecutable(proxy.program()), proxy.program() + " is not installed");
        Map<String, String> replace = new LinkedHashMap<>(more);
        replace.put("/lib/systemd/systemd-socket-proxyd", proxy.program().toString());
        replace.put("/etc/nginx/proxy-to-nginx.conf", dir.resolve("nginx.conf").toString());
        replace.put("/run/nginx", dir.resolve("run/nginx").toString());
        replace.put("/var/log/nginx/", dir.resolve("log") + "/");
        Path from = EXAMPLES.resolve(example);
        try (Stream<Path> files = Files.walk(from)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                String text = Files.readString(file);
                for (Map.Entry<String, String> r : replace.entrySet()) {
                    text = text.replace(r.getKey(), r.getValue());
                }
                Path to = units.resolve(from.relativize(file).toString());
                Files.createDirectories(to.getParent());
                Files.writeString(to, text);
            }
        }
    }

    /**
     * sockactd with enablement in use and nothing enabled, so nothing listens until {@code sockctl enable --now}.
     */
    private void startDaemonAndEnable(int port) throws Exception {
        Files.writeString(units.resolve(Enablement.MARKER), "# written by ProxyToNginxIT\n");
        daemon = DaemonProcess.start(units, control);
        daemon.await("Loaded ");
        Await.until("control socket", () -> Files.exists(control));
        assertThat(Clients.connects(port)).as("nothing listens before enable --now").isFalse();

        Run enable = ctl("enable", "--now", "proxy-to-nginx.socket");
        assertThat(enable.status()).as(enable.err() + daemon.log()).isZero();
        assertThat(enable.err()).contains("Created symlink " + units.resolve("sockets.target.wants/proxy-to-nginx.socket"));
        assertThat(active("proxy-to-nginx.socket")).isEqualTo("active");
    }

    /** nginx's master (from its PID file) and workers, remembered to check later that they are gone. */
    private long rememberNginx() throws IOException {
        long master = Long.parseLong(Files.readString(dir.resolve("run/nginx.pid")).strip());
        assertThat(mainPid("nginx.service")).isEqualTo(master);
        seen.add(master);
        seen.addAll(DependenciesIT.children(master));
        return master;
    }

    private void stopDaemonAndCheckNothingIsLeft() throws Exception {
        assertThat(daemon.terminate()).as(daemon.log()).isZero();
        assertThat(daemon.log()).doesNotContain("Failed with result");
        assertThat(seen).as("nginx and proxy processes after sockactd stopped").noneMatch(ProxyToNginxIT::alive);
        assertThat(processesMentioning(dir.toString())).as("processes naming " + dir).isEmpty();
    }

    /** Forwarded inside sockactd: no main process, and sockctl status says where to and how much. */
    private void assertHosted(String target) throws Exception {
        String out = ctl("show", "-p", "MainPID", "proxy-to-nginx.service").out().strip();
        assertThat(out).isEqualTo("MainPID=0");
        Run status = ctl("status", "proxy-to-nginx.service");
        assertThat(status.out()).as(daemon.log())
                .contains("Forwarding to " + target.replace("/run/nginx", dir.resolve("run/nginx").toString())
                        + " inside sockactd (no process)")
                .doesNotContain("Main PID:");
        assertThat(daemon.log()).contains("proxy-to-nginx.service: Forwarding to ");
    }

    private void assertActive(String... names) throws Exception {
        for (String name : names) {
            assertThat(active(name)).as(name + "\n" + daemon.log()).isEqualTo("active");
        }
    }

    private long mainPid(String unit) {
        try {
            String out = ctl("show", "-p", "MainPID", unit).out().strip();
            long pid = Long.parseLong(out.replace("MainPID=", ""));
            assertThat(pid).as(unit + "'s MainPID").isPositive();
            return pid;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private String active(String unit) throws IOException, InterruptedException {
        return ctl("show", "-p", "ActiveState", unit).out().strip().replace("ActiveState=", "");
    }

    private String activeQuietly(String unit) {
        try {
            return active(unit);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private Run ctl(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(args));
        command.add("--control-socket");
        command.add(control.toString());
        return Sockctl.sockctl(dir, command.toArray(String[]::new));
    }

    /** The body of GET / through the socket's port; sockactd's log in the message when it fails. */
    private String get(int port) throws IOException {
        try {
            return getOnce(port);
        } catch (IOException e) {
            throw new AssertionError("GET / on port " + port + ": " + e + "\nsockactd's log:\n" + daemon.log(), e);
        }
    }

    private static String getOnce(int port) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
            s.setSoTimeout((int) DaemonProcess.DEADLINE_MS);
            s.getOutputStream().write("GET / HTTP/1.0\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            try (InputStream in = s.getInputStream()) {
                String response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                assertThat(response).startsWith("HTTP/1.1 200 OK\r\n").contains("\r\nServer: nginx");
                return response.substring(response.indexOf("\r\n\r\n") + 4);
            }
        }
    }

    private static void assertUnreachableFromHost(int port) {
        assertThatThrownBy(() -> {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            }
        }).as("127.0.0.1:" + port + " from the host's namespace").isInstanceOf(ConnectException.class);
    }

    private static String netns(long pid) throws IOException {
        return Files.readSymbolicLink(Path.of("/proc/" + pid + "/ns/net")).toString();
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) && !DependenciesIT.zombie(pid);
    }

    /** Pids of processes whose command line contains {@code text} (nginx's master keeps its own in its title). */
    private static List<Long> processesMentioning(String text) throws IOException {
        List<Long> found = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(p -> p.getFileName().toString().matches("[0-9]+")).toList()) {
                try {
                    String cmdline = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8);
                    if (cmdline.contains(text)) {
                        found.add(Long.parseLong(p.getFileName().toString()));
                    }
                } catch (IOException gone) {
                    // exited meanwhile
                }
            }
        }
        return found;
    }
}
