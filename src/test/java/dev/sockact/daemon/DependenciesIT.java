package dev.sockact.daemon;

import dev.sockact.testing.Await;
import dev.sockact.testing.DaemonProcess;
import dev.sockact.testing.Daemons;
import dev.sockact.testing.Sockctl.Run;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static dev.sockact.testing.DaemonProcess.echoService;
import static dev.sockact.testing.DaemonProcess.talk;
import static dev.sockact.testing.Ports.freeTcpPort;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Dependencies between units with real processes: units loaded on demand by {@code sockctl start}, Requires= with
 * After= (order recorded in a file), failure propagation, Wants=, Requisite=, Conflicts=, BindsTo=/PartOf=, and
 * StopWhenUnneeded= through a socket's activation.
 */
class DependenciesIT {
    @TempDir
    Path dir;

    @RegisterExtension
    final Daemons daemons = new Daemons(() -> dir);
    private DaemonProcess daemon;

    private void unit(String name, String text) throws IOException {
        Files.writeString(daemons.units().resolve(name), text);
    }

    private DaemonProcess start() throws IOException {
        daemon = daemons.start();
        daemons.awaitControlSocket();
        return daemon;
    }

    private Run ctl(String... args) throws IOException, InterruptedException {
        return daemons.ctl(args);
    }

    private String active(String unit) throws IOException, InterruptedException {
        return daemons.activeState(unit);
    }

    /** A service that appends {@code tag} to the order file, then runs until stopped. */
    private String recorder(String tag) {
        return "ExecStart=/bin/sh -c 'echo " + tag + " >> " + dir.resolve("order") + "; exec sleep 600'\n";
    }

    private String order() throws IOException {
        Path f = dir.resolve("order");
        return Files.exists(f) ? Files.readString(f) : "";
    }

    @Test
    void requiresAndAfterStartTheDependencyFirstAndWaitForIt() throws Exception {
        // b is a oneshot that takes a while: a must not start before b has finished (is active).
        unit("b.service", "[Service]\nType=oneshot\nRemainAfterExit=yes\nExecStart=/bin/sh -c 'sleep 0.5; echo b >> "
                + dir.resolve("order") + "'\n");
        unit("a.service", "[Unit]\nRequires=b.service\nAfter=b.service\n[Service]\n" + recorder("a"));
        start();
        Run run = ctl("start", "a.service");
        assertThat(run.status()).as(run.err() + daemon.log()).isZero();
        assertThat(order()).isEqualTo("b\na\n");
        assertThat(active("b.service")).isEqualTo("active");
        assertThat(active("a.service")).isEqualTo("active");
        // Stopping b stops a first (it requires b).
        assertThat(ctl("stop", "b.service").status()).isZero();
        assertThat(active("a.service")).isEqualTo("inactive");
    }

    @Test
    void beforeOrdersTheOtherWay() throws Exception {
        unit("b.service", "[Unit]\nBefore=a.service\n[Service]\nType=oneshot\nRemainAfterExit=yes\n"
                + "ExecStart=/bin/sh -c 'sleep 0.5; echo b >> " + dir.resolve("order") + "'\n");
        unit("a.service", "[Unit]\nWants=b.service\n[Service]\n" + recorder("a"));
        start();
        assertThat(ctl("start", "a.service").status()).isZero();
        assertThat(order()).isEqualTo("b\na\n");
    }

    @Test
    void aRequiredUnitThatFailsFailsTheDependentNamingBoth() throws Exception {
        unit("b.service", "[Service]\nType=oneshot\nExecStart=/bin/false\n");
        unit("a.service", "[Unit]\nDescription=The A service\nRequires=b.service\nAfter=b.service\n[Service]\n"
                + recorder("a"));
        start();
        Run run = ctl("start", "a.service");
        assertThat(run.status()).isEqualTo(1);
        assertThat(run.err()).contains("a.service").contains("b.service");
        assertThat(daemon.log()).contains("Dependency failed for The A service (a.service): b.service failed.");
        assertThat(order()).isEmpty();
        assertThat(active("a.service")).isEqualTo("inactive");
        assertThat(active("b.service")).isEqualTo("failed");
    }

    @Test
    void aWantedUnitThatFailsDoesNotStopTheStart() throws Exception {
        unit("b.service", "[Service]\nType=oneshot\nExecStart=/bin/false\n");
        unit("a.service", "[Unit]\nWants=b.service\nAfter=b.service\n[Service]\n" + recorder("a"));
        start();
        Run run = ctl("start", "a.service");
        assertThat(run.status()).as(run.err()).isZero();
        assertThat(active("a.service")).isEqualTo("active");
        assertThat(active("b.service")).isEqualTo("failed");
    }

    @Test
    void requisiteChecksWithoutStarting() throws Exception {
        unit("b.service", "[Service]\n" + recorder("b"));
        unit("a.service", "[Unit]\nRequisite=b.service\nAfter=b.service\n[Service]\n" + recorder("a"));
        start();
        Run refused = ctl("start", "a.service");
        assertThat(refused.status()).isEqualTo(1);
        assertThat(refused.err()).contains("a.service").contains("b.service");
        assertThat(order()).isEmpty();
        assertThat(active("b.service")).isEqualTo("inactive");
        assertThat(ctl("start", "b.service").status()).isZero();
        assertThat(ctl("start", "a.service").status()).isZero();
        assertThat(order()).isEqualTo("b\na\n");
    }

    @Test
    void conflictsStopsTheOtherUnit() throws Exception {
        unit("b.service", "[Service]\n" + recorder("b"));
        unit("a.service", "[Unit]\nConflicts=b.service\n[Service]\n" + recorder("a"));
        start();
        assertThat(ctl("start", "b.service").status()).isZero();
        assertThat(ctl("start", "a.service").status()).isZero();
        Await.until("b stopped", () -> call(() -> active("b.service")).equals("inactive"));
        // And the other way round: Conflicts= works both ways.
        assertThat(ctl("start", "b.service").status()).isZero();
        Await.until("a stopped", () -> call(() -> active("a.service")).equals("inactive"));
    }

    /** A Conflicts= that a daemon-reload adds is seen from both sides: the other unit's start looks it up backwards. */
    @Test
    void aConflictAddedByAReloadWorksBothWays() throws Exception {
        unit("b.service", "[Service]\n" + recorder("b"));
        unit("a.service", "[Service]\n" + recorder("a"));
        start();
        assertThat(ctl("start", "a.service").status()).isZero();
        assertThat(ctl("start", "b.service").status()).isZero();
        assertThat(active("a.service")).isEqualTo("active");   // no conflict yet
        assertThat(ctl("stop", "a.service").status()).isZero();

        unit("a.service", "[Unit]\nConflicts=b.service\n[Service]\n" + recorder("a"));
        assertThat(ctl("reload").status()).isZero();
        assertThat(ctl("start", "a.service").status()).isZero();
        Await.until("b stopped", () -> call(() -> active("b.service")).equals("inactive"));
        assertThat(ctl("start", "b.service").status()).isZero();
        Await.until("a stopped", () -> call(() -> active("a.service")).equals("inactive"));
    }

    @Test
    void bindsToAndPartOfFollowTheOtherUnitsStop() throws Exception {
        Path stopFile = dir.resolve("b-may-exit");
        unit("b.service", "[Service]\nExecStart=/bin/sh -c 'while [ ! -e " + stopFile + " ]; do sleep 0.1; done'\n");
        unit("bound.service", "[Unit]\nBindsTo=b.service\nAfter=b.service\n[Service]\n" + recorder("bound"));
        unit("part.service", "[Unit]\nPartOf=b.service\n[Service]\n" + recorder("part"));
        start();
        assertThat(ctl("start", "bound.service").status()).isZero();
        assertThat(ctl("start", "part.service").status()).isZero();
        assertThat(active("b.service")).isEqualTo("active");
        // PartOf=: stopping b stops part; BindsTo=: so does bound.
        assertThat(ctl("stop", "b.service").status()).isZero();
        assertThat(active("part.service")).isEqualTo("inactive");
        assertThat(active("bound.service")).isEqualTo("inactive");
        // BindsTo= also follows b ending on its own.
        assertThat(ctl("start", "bound.service").status()).isZero();
        assertThat(active("b.service")).isEqualTo("active");
        Files.writeString(stopFile, "");
        daemon.await("bound.service: Unit is bound to inactive unit b.service. Stopping, too.");
        Await.until("bound stopped", () -> call(() -> active("bound.service")).equals("inactive"));
        // PartOf= propagates a restart too.
        Files.delete(stopFile);
        assertThat(ctl("start", "part.service", "b.service").status()).isZero();
        assertThat(ctl("restart", "b.service").status()).isZero();
        assertThat(active("part.service")).isEqualTo("active");
        assertThat(order()).containsSubsequence("part", "part", "part");
    }

    @Test
    void stopWhenUnneededStopsTheBackendOnceTheActivatedServiceExitsAndTheNextClientStartsBoth() throws Exception {
        int port = freeTcpPort();
        Path backendLog = dir.resolve("backend.log");
        unit("front.socket", "[Socket]\nListenStream=127.0.0.1:" + port + "\n");
        unit("front.service", "[Unit]\nRequires=backend.service\nAfter=backend.service\nRequires=front.socket\n"
                + "After=front.socket\n[Service]\nExecStart=" + echoService("--clients 1") + "\n");
        unit("backend.service", "[Unit]\nStopWhenUnneeded=yes\n[Service]\nExecStart=/bin/sh -c 'echo up >> "
                + backendLog + "; exec sleep 600'\n");
        start().await("Listening on front.socket.");
        assertThat(talk(port, "one")).endsWith("one");
        daemon.await("backend.service: Unit not needed anymore. Stopping.");
        Await.until("backend stopped", () -> call(() -> active("backend.service")).equals("inactive"));
        assertThat(talk(port, "two")).endsWith("two");
        daemon.await("backend.service: Unit not needed anymore. Stopping.", 2);
        assertThat(Files.readString(backendLog)).isEqualTo("up\nup\n");
        // The order held: the backend was up before the front service started.
        assertThat(daemon.log().indexOf("backend.service/start running"))
                .isLessThan(daemon.log().indexOf("front.service/start running"));
    }

    @Test
    void orderingCycleIsReportedAndBroken() throws Exception {
        unit("a.service", "[Unit]\nRequires=b.service\nAfter=b.service\n[Service]\n" + recorder("a"));
        unit("b.service", "[Unit]\nRequires=a.service\nAfter=a.service\n[Service]\n" + recorder("b"));
        start();
        assertThat(ctl("start", "a.service").status()).isZero();
        assertThat(daemon.log()).contains("Found ordering cycle");
        assertThat(active("b.service")).isEqualTo("active");
    }

    @Test
    void orphansReparentedToSockactdAreReaped() throws Exception {
        // The inner shell exits at once: its "sleep 0.5" child is orphaned, reparented to sockactd (a subreaper),
        // exits, and must not stay a zombie: once it is gone from /proc, its parent, sockactd, has reaped it.
        Path script = dir.resolve("orphan.sh");
        Path orphanPid = dir.resolve("orphan.pid");
        Files.writeString(script, "( sleep 0.5 & echo $! > " + orphanPid + " )\nexec sleep 600\n");
        unit("orphans.service", "[Service]\nExecStart=/bin/sh " + script + "\n");
        start();
        assertThat(ctl("start", "orphans.service").status()).isZero();
        long pid = daemon.process.pid();
        Await.until("the orphan's pid", () -> read(orphanPid).endsWith("\n"));
        long orphan = Long.parseLong(read(orphanPid).strip());
        Await.until("the orphan reparented to sockactd",
                () -> children(pid).contains(orphan) || !Files.exists(Path.of("/proc/" + orphan)));
        Await.until("the orphan reaped", () -> !Files.exists(Path.of("/proc/" + orphan)));
        assertThat(children(pid)).noneMatch(DependenciesIT::zombie);
    }

    static List<Long> children(long pid) {
        List<Long> out = new ArrayList<>();
        try (var tasks = Files.newDirectoryStream(Path.of("/proc/" + pid + "/task"))) {
            for (Path t : tasks) {
                for (String s : Files.readString(t.resolve("children")).trim().split("\\s+")) {
                    if (!s.isEmpty()) {
                        out.add(Long.parseLong(s));
                    }
                }
            }
        } catch (IOException e) {
            // gone
        }
        return out;
    }

    /** The file's text, empty while it does not exist. */
    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "";
        }
    }

    static boolean zombie(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2) == 'Z';
        } catch (IOException e) {
            return false;
        }
    }

    interface IoCall<T> {
        T get() throws Exception;
    }

    static <T> T call(IoCall<T> c) {
        try {
            return c.get();
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
    }
}
