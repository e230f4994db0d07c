package dev.sockact.daemon;

import dev.sockact.posix.Processes;
import dev.sockact.posix.Signals;
import dev.sockact.testing.Await;
import dev.sockact.testing.DaemonProcess;
import dev.sockact.testing.Ports;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * sockactd as PID 1 of a PID namespace, as in a container: {@code unshare --pid --fork --mount-proc bin/sockactd}.
 * Orphans of double-forking services are reaped (no zombies stay), SIGTERM and SIGINT stop every unit and exit 0
 * (PID 1 gets only the signals it has a handler for), and SIGKILL from outside takes every process of the
 * namespace with it (the kernel's rule for PID 1). Needs root and unshare (util-linux); skipped otherwise.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class Pid1IT {
    private static final Path UNSHARE = Path.of("/usr/bin/unshare");

    @TempDir
    Path dir;
    private Path units;
    private Process unshare;
    private DaemonProcess daemon;
    private int orphansPort;
    private int holdPort;

    @BeforeEach
    void setUp() throws IOException, InterruptedException {
        assumeTrue(Processes.uid() == 0, "a PID namespace needs root");
        assumeTrue(Files.isExecutable(UNSHARE), "needs unshare (util-linux)");
        Process probe = new ProcessBuilder(UNSHARE.toString(), "--pid", "--fork", "--mount-proc", "true")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assumeTrue(probe.waitFor(30, TimeUnit.SECONDS) && probe.exitValue() == 0,
                "unshare --pid --fork --mount-proc is not permitted here");
        units = Files.createDirectory(dir.resolve("units"));
        orphansPort = Ports.freeTcpPort();
        holdPort = Ports.freeTcpPort();
        // Each connection's instance double-forks: its background children are orphaned, re-parented to PID 1,
        // and exit at once, so they are zombies until PID 1 reaps them.
        Files.writeString(units.resolve("orphans.socket"),
                "[Socket]\nListenStream=127.0.0.1:" + orphansPort + "\nAccept=yes\n");
        Files.writeString(units.resolve("orphans@.service"), """
                [Service]
                ExecStart=/bin/sh -c '(true &); (sleep 0 &); (setsid true &); echo forked'
                StandardInput=socket
                """);
        // A service that says when it got SIGTERM from its manager, and a daemon that escapes its process group.
        Files.writeString(units.resolve("hold.socket"), "[Socket]\nListenStream=127.0.0.1:" + holdPort + "\n");
        Files.writeString(units.resolve("hold.service"), """
                [Service]
                ExecStart=/bin/sh -c 'trap "echo stopped > %s; exit 0" TERM; setsid sleep 1000 & echo started > %s; \
                while :; do sleep 0.05; done'
                """.formatted(dir.resolve("stopped"), dir.resolve("started")));
        ProcessBuilder pb = DaemonProcess.builder(units, dir.resolve("control.sock"));
        pb.command().addAll(0, List.of(UNSHARE.toString(), "--pid", "--fork", "--mount-proc"));
        unshare = pb.start();
        daemon = new DaemonProcess(unshare);
        daemon.await("Listening on ", 2);
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        if (unshare != null && unshare.isAlive()) {
            ProcessHandle.of(pid1()).ifPresent(ProcessHandle::destroyForcibly);
            unshare.destroyForcibly();
            unshare.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void reapsTheOrphansOfDoubleForkingServices() throws Exception {
        for (int i = 0; i < 20; i++) {
            assertThat(readLine(orphansPort)).isEqualTo("forked");
        }
        long pid1 = pid1();
        Await.until("no zombie children of PID 1", () -> zombieChildren(pid1).isEmpty());
        // unshare itself ignores SIGTERM while it waits for its child: the signal goes to PID 1.
        Processes.kill((int) pid1, Signals.SIGTERM);
        assertThat(unshare.waitFor(DaemonProcess.DEADLINE_MS, TimeUnit.MILLISECONDS)).as(daemon.log()).isTrue();
        assertThat(unshare.exitValue()).as(daemon.log()).isZero();
    }

    @Test
    void sigtermStopsEveryUnitAndExitsZero() throws Exception {
        stopsEveryUnitOn(Signals.SIGTERM);
    }

    @Test
    void sigintStopsEveryUnitAndExitsZero() throws Exception {
        stopsEveryUnitOn(Signals.SIGINT);
    }

    @Test
    void sigkillFromOutsideLeavesNoProcessInTheNamespace() throws Exception {
        startHold();
        long pid1 = pid1();
        String namespace = pidNamespace(pid1);
        assertThat(processesIn(namespace)).as("PID 1, the service, its escaped daemon").hasSizeGreaterThanOrEqualTo(3);
        Processes.kill((int) pid1, Signals.SIGKILL);
        Await.until("no process left in " + namespace, () -> processesIn(namespace).isEmpty());
        assertThat(unshare.waitFor(DaemonProcess.DEADLINE_MS, TimeUnit.MILLISECONDS)).isTrue();
        assertThat(dir.resolve("stopped")).as("killed by the kernel, not stopped").doesNotExist();
    }

    private void stopsEveryUnitOn(int signal) throws Exception {
        startHold();
        long pid1 = pid1();
        String namespace = pidNamespace(pid1);
        Processes.kill((int) pid1, signal);
        assertThat(unshare.waitFor(DaemonProcess.DEADLINE_MS, TimeUnit.MILLISECONDS)).as(daemon.log()).isTrue();
        assertThat(unshare.exitValue()).as(daemon.log()).isZero();
        assertThat(Files.readString(dir.resolve("stopped")).trim()).isEqualTo("stopped");
        Await.until("no process left in " + namespace, () -> processesIn(namespace).isEmpty());
    }

    /** Triggers hold.socket and waits until its service runs. */
    private void startHold() throws IOException {
        try (Socket trigger = new Socket(InetAddress.getLoopbackAddress(), holdPort)) {
            assertThat(trigger.isConnected()).isTrue();
            Await.until("hold.service started", () -> Files.exists(dir.resolve("started")));
        }
    }

    /** sockactd: unshare's only child, PID 1 inside the namespace. */
    private long pid1() {
        return Await.until("unshare's child", Duration.ofSeconds(30),
                () -> unshare.toHandle().children().findFirst().map(ProcessHandle::pid).orElse(-1L), pid -> pid > 0);
    }

    private static String readLine(int port) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout((int) DaemonProcess.DEADLINE_MS);
            return new String(s.getInputStream().readAllBytes()).trim();
        }
    }

    private static String pidNamespace(long pid) throws IOException {
        return Files.readSymbolicLink(Path.of("/proc/" + pid + "/ns/pid")).toString();
    }

    /** Processes of this machine (seen from here) whose PID namespace is {@code namespace}. */
    private static List<Long> processesIn(String namespace) {
        return each(pid -> namespace.equals(pidNamespace(pid)));
    }

    private static List<Long> zombieChildren(long parent) {
        return each(pid -> {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] after = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return after[0].equals("Z") && Long.parseLong(after[1]) == parent;
        });
    }

    private interface PidTest {
        boolean test(long pid) throws IOException;
    }

    private static List<Long> each(PidTest test) {
        List<Long> out = new ArrayList<>();
        try (DirectoryStream<Path> proc = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path entry : proc) {
                long pid = Long.parseLong(entry.getFileName().toString());
                try {
                    if (test.test(pid)) {
                        out.add(pid);
                    }
                } catch (IOException e) {
                    // the process ended meanwhile
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("Failed to list /proc", e);
        }
        return out;
    }
}
