package dev.sockact.daemon;

import dev.sockact.testing.Await;
import dev.sockact.testing.DaemonProcess;
import dev.sockact.testing.Daemons;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.sockact.testing.DaemonProcess.echoService;
import static dev.sockact.testing.DaemonProcess.talk;
import static dev.sockact.testing.Ports.freeTcpPort;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A plain service kept ready ({@link Standby}), with bin/sockactd as a real process: its next main process waits
 * before its exec, the activation releases it, and what changes the spawn lets it go. Every wait is on a log line
 * or a process; the deadlines only keep a broken run from hanging.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class StandbyIT {
    private static final Pattern READY = Pattern.compile("(\\S+): Standby process (\\d+) ready for the next activation\\.");

    @TempDir
    Path dir;

    @RegisterExtension
    final Daemons daemons = new Daemons(() -> dir);

    /** The pids of the standbys made so far for {@code unit}, in the order they were made. */
    private static List<String> standbys(DaemonProcess d, String unit) {
        List<String> pids = new ArrayList<>();
        Matcher m = READY.matcher(d.log());
        while (m.find()) {
            if (m.group(1).equals(unit)) {
                pids.add(m.group(2));
            }
        }
        return pids;
    }

    /** Waits for {@code unit}'s first standby, and returns its pid. */
    private static String firstStandby(DaemonProcess d, String unit) throws InterruptedException {
        d.await(unit + ": Standby process ");
        return standbys(d, unit).getFirst();
    }

    private static String pid(String header) {
        return header.substring(header.indexOf("pid=") + 4, header.indexOf(' '));
    }

    private static String comm(String pid) {
        try {
            return Files.readString(Path.of("/proc", pid, "comm")).strip();
        } catch (IOException e) {
            return "";
        }
    }

    private int echoUnits(String name, String args) throws IOException {
        int port = freeTcpPort();
        Path units = daemons.units();
        Files.writeString(units.resolve(name + ".socket"), "[Socket]\nListenStream=127.0.0.1:" + port + "\n");
        Files.writeString(units.resolve(name + ".service"), "[Service]\nExecStart=" + echoService(args) + "\n");
        return port;
    }

    @Test
    void thePlainServiceWaitsBeforeItsExecAndServesTheActivationAsThatProcess() throws Exception {
        int port = echoUnits("e", "--clients 1");
        DaemonProcess d = daemons.start();
        String first = firstStandby(d, "e.service");
        // The program names itself once it runs; "ready" is logged once it has been exec'd.
        Await.until("standby " + first + " named", () -> comm(first).equals("sockact-standby"));

        // The standby is the process that serves: same pid, and LISTEN_PID says so (EchoService checks it).
        String header = talk(port, "one");
        assertThat(pid(header)).isEqualTo(first);
        assertThat(header).contains("fds=1").endsWith("|one");
        d.await("e.service: Deactivated successfully.");

        // The next one is made once the service has ended, and serves the next activation.
        d.await("e.service: Standby process ", 2);
        String second = standbys(d, "e.service").get(1);
        assertThat(second).isNotEqualTo(first);
        assertThat(pid(talk(port, "two"))).isEqualTo(second);
        d.await("e.service: Deactivated successfully.", 2);
        assertThat(d.terminate()).isZero();
        Await.until("standby " + second + " gone with the daemon", () -> !Files.exists(Path.of("/proc", second)));
    }

    @Test
    void aReloadLetsTheStandbyGoAndTheActivationRunsTheNewDefinition() throws Exception {
        int port = echoUnits("r", "--clients 1");
        DaemonProcess d = daemons.start();
        String standby = firstStandby(d, "r.service");

        Files.writeString(daemons.units().resolve("r.service"), "[Service]\nExecStart=" + echoService("--exit 3")
                + "\n");
        assertThat(daemons.ctl("daemon-reload").status()).isZero();
        d.await("r.service: Standby process " + standby + " let go.");
        Await.until("standby " + standby + " reaped", () -> !Files.exists(Path.of("/proc", standby)));

        assertThat(pid(talk(port, "new"))).isNotEqualTo(standby);
        d.await("r.service: Main process exited, code=exited, status=3/NOTIMPLEMENTED");
        assertThat(d.terminate()).isZero();
    }

    /** The standby holds copies of the socket's descriptors: once the stop returns they are closed, the port free. */
    @Test
    void stoppingTheSocketEndsTheStandbyAndFreesItsPort() throws Exception {
        int port = echoUnits("s", "--clients 1");
        DaemonProcess d = daemons.start();
        String standby = firstStandby(d, "s.service");

        assertThat(daemons.ctl("stop", "s.socket").status()).isZero();
        // Bound at once, before anything else: the stop has returned, so the standby's copy must be closed.
        try (ServerSocket again = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
            assertThat(again.getLocalPort()).isEqualTo(port);
        }
        d.await("s.service: Standby process " + standby + " let go.");   // read from its stderr by another thread
        assertThat(d.terminate()).isZero();
    }

    @Test
    void atTheBoundTheOtherServicesAreSpawnedAtTheirActivationAndTheBoundIsLoggedOnce() throws Exception {
        int a = echoUnits("a", "--clients 1");
        int b = echoUnits("b", "--clients 1");
        int c = echoUnits("c", "--clients 1");
        DaemonProcess d = daemons.start("--standby-max=1");
        d.await("At most 1 services are kept ready to start (--standby-max=1)");
        d.await(": Standby process ");
        for (int port : new int[] {a, b, c}) {
            assertThat(talk(port, "x")).endsWith("|x");
        }
        d.await("Deactivated successfully.", 3);
        String log = d.terminateAndReadLog();
        assertThat(DaemonProcess.count(log, "At most 1 services are kept ready")).isEqualTo(1);
    }

    @Test
    void noneWithStandbyMaxZeroNorForAServiceThatIsNotPlain() throws Exception {
        int plain = echoUnits("p", "--clients 1");
        int port = freeTcpPort();
        Path units = daemons.units();
        Files.writeString(units.resolve("n.socket"), "[Socket]\nListenStream=127.0.0.1:" + port + "\n");
        Files.writeString(units.resolve("n.service"), "[Service]\nType=notify\nExecStart="
                + echoService("--clients 1 --notify") + "\n");
        DaemonProcess d = daemons.start();
        d.await("p.service: Standby process ");
        assertThat(talk(port, "n")).endsWith("|n");
        d.await("n.service: Deactivated successfully.");
        assertThat(standbys(d, "n.service")).isEmpty();
        assertThat(d.terminate()).isZero();

        DaemonProcess none = daemons.start("--standby-max=0");
        none.await("Listening on p.socket.");
        assertThat(talk(plain, "p")).endsWith("|p");
        none.await("p.service: Deactivated successfully.");
        assertThat(none.terminateAndReadLog()).doesNotContain("Standby process");
    }
}
