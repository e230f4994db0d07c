package dev.sockact.daemon;

import dev.sockact.testing.Clients;
import dev.sockact.testing.DaemonProcess;
import dev.sockact.testing.Daemons;
import dev.sockact.testing.Sockctl.Run;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static dev.sockact.testing.DaemonProcess.echoService;
import static dev.sockact.testing.DaemonProcess.talk;
import static dev.sockact.testing.Ports.freeTcpPort;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Condition*=/Assert*= in bin/sockactd with real files and real clients: a socket whose condition fails does not
 * listen (sshd's opt-out file), an assert fails a service's start with result assert, a service skipped by its
 * triggering conditions sends its socket round until the trigger limit (systemd's test 10), reset-failed, and an
 * Accept=yes instance tested with its own %i. Waits are on log lines and states, never fixed sleeps.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ConditionsIT {
    @TempDir
    Path dir;

    @RegisterExtension
    final Daemons daemons = new Daemons(() -> dir);

    private Run ctl(String... args) throws IOException, InterruptedException {
        return daemons.ctl(args);
    }

    @Test
    void aSocketWithAnOptOutFileDoesNotListenUntilTheFileIsGone() throws Exception {
        Path units = daemons.units();
        Path optOut = Files.writeString(dir.resolve("sshd_not_to_be_run"), "");
        int port = freeTcpPort();
        Files.writeString(units.resolve("ssh.socket"), "[Unit]\nDescription=Opt-out socket\nConditionPathExists=!"
                + optOut + "\n\n[Socket]\nListenStream=127.0.0.1:" + port + "\n");
        Files.writeString(units.resolve("ssh.service"), "[Service]\nExecStart=" + echoService("--clients 1") + "\n");
        DaemonProcess daemon = daemons.start();
        daemon.await("Condition check resulted in Opt-out socket being skipped.");
        assertThat(daemon.log()).doesNotContain("Listening on Opt-out socket.");
        assertThat(Clients.connects(port)).isFalse();

        Run status = ctl("status", "ssh.socket");
        assertThat(status.status()).as(status.err()).isEqualTo(3);
        assertThat(status.out()).contains("     Active: inactive (dead)")
                .containsPattern("\n  Condition: start condition failed at \\w{3} \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d"
                        + " \\S+; .+ ago\n")
                .contains("\n             └─ ConditionPathExists=!" + optOut + " was not met\n");

        Run start = ctl("start", "ssh.socket");
        assertThat(start.status()).as("a skipped start is no failure: " + start.err()).isZero();
        daemon.await("Condition check resulted in Opt-out socket being skipped.", 2);
        assertThat(Clients.connects(port)).isFalse();

        Files.delete(optOut);
        assertThat(ctl("reload").status()).isZero();
        assertThat(ctl("status", "ssh.socket").out()).as("daemon-reload starts nothing, as systemd's does")
                .contains("inactive (dead)");
        start = ctl("start", "ssh.socket");
        assertThat(start.status()).as(start.err()).isZero();
        daemon.await("Listening on Opt-out socket.");
        assertThat(talk(port, "hello")).endsWith("|hello");
        assertThat(ctl("status", "ssh.socket").out()).doesNotContain("Condition:");
    }

    @Test
    void aFailedAssertFailsTheStartWithResultAssert() throws Exception {
        Path units = daemons.units();
        Path missing = dir.resolve("missing");
        Files.writeString(units.resolve("checked.service"), "[Unit]\nDescription=Checked service\nAssertPathExists="
                + missing + "\n\n[Service]\nExecStart=/bin/sleep 1000\n");
        DaemonProcess daemon = daemons.start();
        daemons.awaitControlSocket();

        Run start = ctl("start", "checked.service");
        assertThat(start.status()).isEqualTo(1);
        assertThat(start.err()).contains("Assertion failed on job for checked.service.");
        String log = daemon.await("Assertion failed for Checked service.");
        assertThat(log).contains("checked.service: Starting requested but asserts failed.");

        Run status = ctl("status", "checked.service");
        assertThat(status.out()).contains("inactive (dead)")
                .containsPattern("\n     Assert: start assertion failed at .+; .+ ago\n")
                .contains("\n             └─ AssertPathExists=" + missing + " was not met\n");

        Files.writeString(missing, "");
        start = ctl("start", "checked.service");
        assertThat(start.status()).as(start.err()).isZero();
        assertThat(ctl("status", "checked.service").out()).contains("active (running)").doesNotContain("Assert:");
        ctl("stop", "checked.service");
    }

    @Test
    void triggeringConditionsSkipTheServiceUntilTheTriggerLimitThenResetFailed() throws Exception {
        Path units = daemons.units();
        Path a = dir.resolve("a");
        Path b = dir.resolve("b");
        int port = freeTcpPort();
        // systemd 252's scenario: from 255 on, the poll limit (15 in 2 s) pauses the socket before the trigger limit
        // (20) is reached, so it is turned off here to reach the trigger limit (PollLimitIT has the pause).
        Files.writeString(units.resolve("t.socket"), "[Socket]\nListenStream=127.0.0.1:" + port
                + "\nPollLimitIntervalSec=0\n");
        Files.writeString(units.resolve("t.service"), "[Unit]\nDescription=Triggered service\n"
                + "ConditionPathExists=|" + a + "\nConditionPathExists=|!" + dir + "\n\n[Service]\nExecStart="
                + echoService("--clients 1") + "\n");
        DaemonProcess daemon = daemons.start();
        daemon.await("Listening on t.socket.");

        try (Socket client = new Socket()) {
            client.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
            daemon.await("Condition check resulted in Triggered service being skipped.");
            daemon.await("t.socket: Trigger limit hit, refusing further activation.");
        }
        daemon.await("t.socket: Failed with result 'trigger-limit-hit'.");
        Run status = ctl("status", "t.service");
        assertThat(status.out()).contains("\n             ├─ ConditionPathExists=|!" + dir + " was not met\n"
                + "             └─ ConditionPathExists=|" + a + " was not met\n");
        assertThat(ctl("status", "t.socket").out()).contains("failed (Result: trigger-limit-hit)");

        Run reset = ctl("reset-failed", "t.socket");
        assertThat(reset.status()).as(reset.err()).isZero();
        assertThat(ctl("status", "t.socket").out()).contains("     Active: inactive (dead)");
        assertThat(ctl("show", "t.socket").out()).contains("Result=success");
        Run unknown = ctl("reset-failed", "nothere.service");
        assertThat(unknown.status()).isEqualTo(1);
        assertThat(unknown.err()).contains("Failed to reset failed state of unit nothere.service: Unit nothere.service"
                + " not loaded.");

        Files.writeString(a, "");   // one triggering condition holds: enough
        assertThat(ctl("start", "t.socket").status()).isZero();
        daemon.await("t.socket: Changed dead -> listening");
        assertThat(talk(port, "again")).endsWith("|again");
        assertThat(b).doesNotExist();
    }

    @Test
    void anAcceptInstanceIsTestedWithItsOwnInstanceName() throws Exception {
        Path units = daemons.units();
        int port = freeTcpPort();
        int allowedFrom = freeTcpPort();
        int otherFrom = freeTcpPort();
        Files.writeString(units.resolve("n.socket"), "[Socket]\nListenStream=127.0.0.1:" + port + "\nAccept=yes\n");
        Files.writeString(units.resolve("n@.service"), "[Unit]\nConditionPathExists=" + dir + "/allowed-%i\n\n"
                + "[Service]\nExecStart=/bin/echo served %i\nStandardOutput=socket\n");
        Files.writeString(dir.resolve("allowed-0-127.0.0.1:" + port + "-127.0.0.1:" + allowedFrom), "");
        DaemonProcess daemon = daemons.start();
        daemon.await("Listening on n.socket.");

        assertThat(readAll(allowedFrom, port)).isEqualTo("served 0-127.0.0.1:" + port + "-127.0.0.1:" + allowedFrom
                + "\n");
        assertThat(readAll(otherFrom, port)).as("skipped: the connection is closed unserved").isEmpty();
        daemon.await("Condition check resulted in n@1-127.0.0.1:" + port + "-127.0.0.1:" + otherFrom
                + ".service being skipped.");
        assertThat(ctl("status", "n.socket").out()).contains("active (listening)");
    }

    private static String readAll(int fromPort, int port) throws IOException {
        try (Socket s = new Socket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress("127.0.0.1", fromPort));
            s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
            s.setSoTimeout((int) DaemonProcess.DEADLINE_MS);
            try (InputStream in = s.getInputStream()) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        }
    }
}
