package dev.sockact.daemon;

import dev.sockact.testing.DaemonProcess;
import dev.sockact.testing.Daemons;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static dev.sockact.testing.Ports.freeTcpPort;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Accept=yes in bin/sockactd with real clients and real instance processes: naming, fd 3 and REMOTE_*,
 * MaxConnections=/MaxConnectionsPerSource=, slots given back however an instance ends, stop. No timing
 * assertions: every wait is a deadline that only keeps a broken run from hanging.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class AcceptIT {
    private static final int DEADLINE_MS = (int) DaemonProcess.DEADLINE_MS;

    @TempDir
    Path dir;

    @RegisterExtension
    final Daemons daemons = new Daemons(() -> dir);
    private final List<Socket> clients = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        for (Socket s : clients) {
            s.close();
        }
    }

    /**
     * A per-connection program on fd 3: records "+ PID" in {@code record}, greets with its instance (%i),
     * REMOTE_ADDR, REMOTE_PORT, LISTEN_FDS, LISTEN_FDNAMES and the drop-in's variable, echoes one line, records
     * "- PID" and exits.
     */
    private Path instanceScript() throws IOException {
        Path script = dir.resolve("instance.sh");
        Files.writeString(script, """
                [ "$LISTEN_PID" = "$$" ] || echo "bad LISTEN_PID $LISTEN_PID, not $$" >> "$1"
                echo "+ $$" >> "$1"
                printf 'hello %s %s %s %s %s %s\\n' "$2" "${REMOTE_ADDR:--}" "${REMOTE_PORT:--}" "$LISTEN_FDS" \\
                    "$LISTEN_FDNAMES" "${DROPIN:--}" >&3
                read line <&3
                printf 'echo %s\\n' "$line" >&3
                echo "- $$" >> "$1"
                """);
        return script;
    }

    /** {@code prefix.socket} with {@code socket} lines, and the template {@code prefix@.service}. */
    private void unit(Path units, String prefix, String socket, String service) throws IOException {
        Files.writeString(units.resolve(prefix + ".socket"), "[Socket]\nAccept=yes\n" + socket);
        Files.writeString(units.resolve(prefix + "@.service"), "[Service]\n" + service);
    }

    private Path crashScript() throws IOException {
        Path script = dir.resolve("crash.sh");
        Files.writeString(script, "kill -SEGV $$\n");
        return script;
    }

    private String scriptService(Path script, Path record) {
        return "ExecStart=/bin/sh " + script + " " + record + " %i\n";
    }

    private Socket connect(String from, int port) throws IOException {
        Socket s = new Socket();
        clients.add(s);
        if (from != null) {
            s.bind(new InetSocketAddress(from, 0));
        }
        s.connect(new InetSocketAddress("127.0.0.1", port), DEADLINE_MS);
        s.setSoTimeout(DEADLINE_MS);
        return s;
    }

    /** The greeting line, or null when the connection was closed without one (refused). */
    private static String greeting(Socket s) throws IOException {
        try {
            return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8)).readLine();
        } catch (SocketException e) {
            return null;   // reset: closed by sockactd while our data was unread
        }
    }

    /** Sends a line and returns the instance's answer. */
    private static String echo(Socket s, String line) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8)).readLine();
    }

    private static long count(Path record, String mark) throws IOException {
        return !Files.exists(record) ? 0 : Files.readAllLines(record).stream().filter(l -> l.startsWith(mark)).count();
    }

    /** The most instances the record shows between their start and end lines at once. */
    private static int mostAlive(Path record) throws IOException {
        int alive = 0;
        int most = 0;
        for (String line : Files.readAllLines(record)) {
            alive += line.startsWith("+") ? 1 : line.startsWith("-") ? -1 : 0;
            most = Math.max(most, alive);
        }
        return most;
    }

    @Test
    void instancesAreNamedAndGetTheConnectionOverIpv4Ipv6AndUnix() throws Exception {
        Path units = daemons.units();
        Path script = instanceScript();
        Path record = dir.resolve("record");
        int port4 = freeTcpPort();
        int port6 = freeTcpPort();
        Path path = dir.resolve("n.sock");
        unit(units, "n4", "ListenStream=127.0.0.1:" + port4 + "\n", scriptService(script, record));
        Files.createDirectories(units.resolve("n4@.service.d"));
        Files.writeString(units.resolve("n4@.service.d/env.conf"), "[Service]\nEnvironment=DROPIN=%I\n");
        unit(units, "n6", "ListenStream=[::1]:" + port6 + "\n", scriptService(script, record));
        unit(units, "nu", "ListenStream=" + path + "\n", scriptService(script, record));
        unit(units, "cat", "ListenStream=" + dir.resolve("cat.sock") + "\n",
                "ExecStart=/bin/cat\nStandardInput=socket\n");
        // ls opens its folder at the lowest free fd: "0 1 2 3 4" means the instance got exactly 0-3.
        unit(units, "fds", "ListenStream=" + dir.resolve("fds.sock") + "\n",
                "ExecStart=/bin/ls -1 /proc/self/fd\nStandardInput=socket\n");
        unit(units, "dg", "ListenDatagram=" + dir.resolve("dg.sock") + "\n", "ExecStart=/bin/true\n");
        DaemonProcess d = daemons.start();
        d.await("Listening on n4.socket.");
        d.await("Listening on nu.socket.");
        d.await("Listening on cat.socket.");
        assertThat(d.log()).contains("Unit configured for accepting sockets, but sockets are non-accepting. Refusing.")
                .contains("dg.socket: Failed to load");

        // IPv4, twice: N counts from 0; the template's drop-in applies, with %I (the unescaped instance).
        for (int n = 0; n < 2; n++) {
            Socket s = connect(null, port4);
            String instance = n + "-127.0.0.1:" + port4 + "-127.0.0.1:" + s.getLocalPort();
            assertThat(greeting(s)).isEqualTo("hello " + instance + " 127.0.0.1 " + s.getLocalPort()
                    + " 1 connection " + instance.replace('-', '/'));   // %I unescapes "-" to "/", as systemd
            assertThat(echo(s, "v4")).isEqualTo("echo v4");
            d.await("n4@" + instance + ".service: Deactivated successfully.");
        }

        boolean ipv6 = true;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("::1"))) {
            probe.getLocalPort();
        } catch (IOException e) {
            ipv6 = false;
        }
        if (ipv6) {
            d.await("Listening on n6.socket.");
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("::1", port6), DEADLINE_MS);
                s.setSoTimeout(DEADLINE_MS);
                String instance = "0-::1:" + port6 + "-::1:" + s.getLocalPort();
                assertThat(greeting(s)).isEqualTo("hello " + instance + " ::1 " + s.getLocalPort()
                        + " 1 connection -");
                assertThat(echo(s, "v6")).isEqualTo("echo v6");
            }
        }

        // UNIX: N-PID-UID, and no REMOTE_*.
        int uid = (Integer) Files.getAttribute(dir, "unix:uid");
        try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            c.connect(UnixDomainSocketAddress.of(path));
            String hello = readLine(c);
            assertThat(hello).isEqualTo("hello 0-" + ProcessHandle.current().pid() + "-" + uid + " - - 1 connection -");
            c.write(ByteBuffer.wrap("unix\n".getBytes(StandardCharsets.UTF_8)));
            assertThat(readLine(c)).isEqualTo("echo unix");
        }

        // inetd style: cat on stdin/stdout.
        try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            c.connect(UnixDomainSocketAddress.of(dir.resolve("cat.sock")));
            c.write(ByteBuffer.wrap("meow\n".getBytes(StandardCharsets.UTF_8)));
            c.shutdownOutput();
            assertThat(readLine(c)).isEqualTo("meow");
        }
        d.await("cat@0-" + ProcessHandle.current().pid() + "-" + uid + ".service: Deactivated successfully.");

        try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            c.connect(UnixDomainSocketAddress.of(dir.resolve("fds.sock")));
            List<String> fds = new ArrayList<>();
            for (String line = readLine(c); line != null; line = readLine(c)) {
                fds.add(line);
            }
            assertThat(fds).containsExactly("0", "1", "2", "3", "4");
        }

        assertThat(count(record, "bad")).isZero();
        assertThat(mostAlive(record)).isEqualTo(1);
        assertThat(d.terminate()).isZero();
        // Everything else ran; without ::1 the test is reported skipped rather than passed.
        assumeTrue(ipv6, "no ::1 on this machine: the IPv6 instance was not checked");
    }

    private static String readLine(SocketChannel c) throws IOException {
        StringBuilder line = new StringBuilder();
        ByteBuffer one = ByteBuffer.allocate(1);
        while (true) {
            one.clear();
            if (c.read(one) < 0) {
                return line.isEmpty() ? null : line.toString();
            }
            char ch = (char) one.get(0);
            if (ch == '\n') {
                return line.toString();
            }
            line.append(ch);
        }
    }

    /** sockactd running {@code prefix.socket} (Accept=yes on a fresh port, plus {@code settings}) with the instance script. */
    private record Scripted(DaemonProcess d, int port, Path record) {
    }

    private Scripted startScripted(String prefix, String settings) throws Exception {
        Path units = daemons.units();
        Path record = dir.resolve("record");
        int port = freeTcpPort();
        unit(units, prefix, "ListenStream=127.0.0.1:" + port + "\n" + settings, scriptService(instanceScript(), record));
        DaemonProcess d = daemons.start();
        d.await("Listening on " + prefix + ".socket.");
        return new Scripted(d, port, record);
    }

    @Test
    void maxConnectionsHoldsUnderABurstOf200AndEverySlotComesBack() throws Exception {
        Scripted run = startScripted("m", "MaxConnections=20\nTriggerLimitBurst=10000\n");
        DaemonProcess d = run.d();
        int port = run.port();
        Path record = run.record();

        List<Socket> burst = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            burst.add(connect(null, port));
        }
        List<Socket> served = new ArrayList<>();
        int refused = 0;
        for (Socket s : burst) {
            if (greeting(s) != null) {
                served.add(s);
            } else {
                refused++;
            }
        }
        assertThat(served).hasSize(20);
        assertThat(refused).isEqualTo(180);
        d.await("m.socket: Too many incoming connections (20), dropping connection.", 180);
        assertThat(count(record, "+")).isEqualTo(20);

        for (Socket s : served) {
            assertThat(echo(s, "x")).isEqualTo("echo x");
        }
        d.await("ended, connections now 0 (accepted 20, refused 180).");
        assertThat(count(record, "-")).isEqualTo(20);

        // Every slot is back: 20 more are all served, and N goes on from 20 (refusals take no number).
        List<Socket> again = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            again.add(connect(null, port));
        }
        Set<Integer> numbers = new TreeSet<>();
        for (Socket s : again) {
            String hello = greeting(s);
            assertThat(hello).startsWith("hello ");
            numbers.add(Integer.parseInt(hello.substring(6, hello.indexOf('-'))));
            assertThat(echo(s, "y")).isEqualTo("echo y");
        }
        assertThat(numbers).hasSize(20).allMatch(n -> n >= 20 && n < 40);
        d.await("ended, connections now 0 (accepted 40, refused 180).");
        assertThat(mostAlive(record)).isLessThanOrEqualTo(20);
        assertThat(d.terminate()).isZero();
    }

    @Test
    void maxConnectionsPerSourceLimitsEachSourceOnItsOwn() throws Exception {
        Scripted run = startScripted("p", "MaxConnectionsPerSource=2\n");
        DaemonProcess d = run.d();
        int port = run.port();

        List<Socket> one = new ArrayList<>();
        List<Socket> two = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            one.add(connect("127.0.0.1", port));
            two.add(connect("127.0.0.2", port));
        }
        List<Socket> served = new ArrayList<>();
        for (List<Socket> source : List.of(one, two)) {
            int greeted = 0;
            for (Socket s : source) {
                String hello = greeting(s);
                if (hello != null) {
                    greeted++;
                    served.add(s);
                }
            }
            assertThat(greeted).isEqualTo(2);
        }
        d.await("p.socket: Too many incoming connections (3) from source 127.0.0.1, dropping connection.");
        d.await("p.socket: Too many incoming connections (3) from source 127.0.0.2, dropping connection.");

        for (Socket s : served) {
            assertThat(echo(s, "z")).isEqualTo("echo z");
        }
        d.await("ended, connections now 0 (accepted 4, refused 4).");
        Socket later = connect("127.0.0.2", port);
        assertThat(greeting(later)).startsWith("hello 4-127.0.0.1:" + port + "-127.0.0.2:");
        assertThat(echo(later, "w")).isEqualTo("echo w");
        assertThat(d.terminate()).isZero();
    }

    @Test
    void slotsComeBackWhenInstancesCrashFailToExecOrLoseTheirClient() throws Exception {
        Path units = daemons.units();
        Path script = instanceScript();
        Path record = dir.resolve("record");
        int crash = freeTcpPort();
        int noexec = freeTcpPort();
        int gone = freeTcpPort();
        int good = freeTcpPort();
        // One slot each: a slot that is not given back refuses the next client.
        unit(units, "crash", "ListenStream=127.0.0.1:" + crash + "\nMaxConnections=1\n",
                "ExecStart=/bin/sh " + crashScript() + "\n");
        unit(units, "noexec", "ListenStream=127.0.0.1:" + noexec + "\nMaxConnections=1\n",
                "ExecStart=" + dir.resolve("missing/program") + "\n");
        unit(units, "gone", "ListenStream=127.0.0.1:" + gone + "\nMaxConnections=1\nMaxConnectionsPerSource=1\n",
                "ExecStart=/bin/cat\nStandardInput=socket\n");
        unit(units, "good", "ListenStream=127.0.0.1:" + good + "\nMaxConnections=1\n", scriptService(script, record));
        DaemonProcess d = daemons.start();
        d.await("Listening on good.socket.");

        for (int i = 1; i <= 5; i++) {
            try (Socket s = connect(null, crash)) {
                assertThat(greeting(s)).isNull();   // the instance died without a word
            }
            d.await("crash.socket: crash@", i);
            try (Socket s = connect(null, noexec)) {
                assertThat(greeting(s)).isNull();
            }
            d.await("noexec.socket: noexec@", i);
            // A client that leaves at once, most likely before the instance has even started.
            connect(null, gone).close();
            d.await("gone.socket: gone@", i);
        }
        assertThat(d.log()).contains("Failed at step EXEC spawning")
                .containsPattern("crash@4-127\\.0\\.0\\.1:\\d+-127\\.0\\.0\\.1:\\d+\\.service: Failed with result '(core-dump|signal)'")
                .doesNotContain("Too many incoming connections")
                .doesNotContain("Scheduled restart job");

        Socket s = connect(null, good);
        assertThat(greeting(s)).startsWith("hello 0-");
        assertThat(echo(s, "ok")).isEqualTo("echo ok");
        assertThat(d.terminate()).isZero();
    }

    @Test
    void stoppingTheDaemonStopsTheInstances() throws Exception {
        Scripted run = startScripted("s", "");
        DaemonProcess d = run.d();
        int port = run.port();
        Path record = run.record();
        List<Socket> held = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Socket s = connect(null, port);
            assertThat(greeting(s)).startsWith("hello " + i + "-");
            held.add(s);
        }
        List<Long> pids = Files.readAllLines(record).stream().map(l -> Long.parseLong(l.substring(2))).toList();
        assertThat(d.terminate()).isZero();
        for (Socket s : held) {
            assertThat(greeting(s)).isNull();
        }
        for (long pid : pids) {
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        }
        assertThat(count(record, "-")).isZero();
    }

    @Test
    void triggerLimitFailsTheSocket() throws Exception {
        Path units = daemons.units();
        int port = freeTcpPort();
        unit(units, "t", "ListenStream=127.0.0.1:" + port + "\nTriggerLimitBurst=3\nTriggerLimitIntervalSec=1min\n",
                "ExecStart=/bin/true\n");
        DaemonProcess d = daemons.start();
        d.await("Listening on t.socket.");
        for (int i = 0; i < 4; i++) {
            try (Socket s = connect(null, port)) {
                assertThat(greeting(s)).isNull();
            }
        }
        d.await("t.socket: Trigger limit hit, refusing further activation.");
        d.await("t.socket: Failed with result 'trigger-limit-hit'.");
        assertThat(d.terminate()).isZero();
    }

    /**
     * The spawn server killed while sockactd serves: said once, and the instances after it are spawned by sockactd
     * itself, as before the server existed.
     */
    @Test
    void aKilledSpawnServerIsReportedOnceAndLaterInstancesAreStillServed() throws Exception {
        Path units = daemons.units();
        int port = freeTcpPort();
        unit(units, "k", "ListenStream=127.0.0.1:" + port + "\n", "ExecStart=/bin/cat\nStandardInput=socket\n");
        DaemonProcess d = daemons.start();
        d.await("Listening on k.socket.");
        try (Socket s = connect(null, port)) {
            assertThat(echo(s, "before")).isEqualTo("before");
        }
        ProcessHandle server = d.process.toHandle().children().filter(c -> comm(c.pid()).equals("sockact-spawn"))
                .findFirst().orElse(null);
        assumeTrue(server != null, "this build has no spawn server (no C compiler when it was built)");

        server.destroyForcibly();
        server.onExit().get(DEADLINE_MS, TimeUnit.MILLISECONDS);
        d.await("The spawn server (pid " + server.pid() + ") is gone");

        for (String line : List.of("after", "again")) {
            try (Socket s = connect(null, port)) {
                assertThat(echo(s, line)).as(d::log).isEqualTo(line);
            }
        }
        assertThat(DaemonProcess.count(d.log(), "The spawn server (pid")).isEqualTo(1);
        assertThat(d.terminate()).isZero();
    }

    private static String comm(long pid) {
        try {
            return Files.readString(Path.of("/proc/" + pid + "/comm")).strip();
        } catch (IOException e) {
            return "";   // gone meanwhile
        }
    }
}
