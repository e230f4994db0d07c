package dev.sockact.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.sockact.testing.Await;
import dev.sockact.testing.ChildReport;
import dev.sockact.testing.Children;
import dev.sockact.testing.Clients;
import dev.sockact.testing.Launchers;
import dev.sockact.testing.Ports;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The same scenarios against systemd-socket-activate (where installed) and
 * bin/socket-activate, compared. The program name at the start of getopt-style
 * messages is the only thing normalised. Cases where systemd 252 itself differs
 * from newer systemd (--now; --inetd with several fds) are in SocketActivateCommandTest only.
 */
@Timeout(value = 180, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SocketActivateCompatibilityIT {
    @TempDir
    Path temp;

    private Children children;

    @BeforeEach
    void setUp() {
        assumeThat(Launchers.installed(Launchers.SYSTEMD_SOCKET_ACTIVATE)).as("systemd-socket-activate installed").isTrue();
        children = new Children(temp);
    }

    @AfterEach
    void killEverything() {
        if (children != null) {
            children.close();
        }
    }

    private record Outcome(int status, String stderr) {
    }

    private Outcome run(Path tool, List<String> args) {
        Children.Started started = children.start(Launchers.command(tool, args.toArray(String[]::new)));
        int status = started.exitCode();
        // "/usr/bin/systemd-socket-activate: ..." and "socket-activate: ..." are the same message.
        return new Outcome(status, started.stderrText().replaceAll("(?m)^\\S*socket-activate: ", "socket-activate: "));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {
        "",
        "-l 8080",
        "-d --seqpacket -l 8080 true",
        "-d -a -l 8080 true",
        "--datagram --accept -l 8080 true",
        "--bogus",
        "--bogus=1",
        "--se",
        "--s=1 -l 8080 true",
        "--fdn",
        "--acc=yes -l 8080 true",
        "--datag --acc -l 8080 true",
        "-x",
        "-l",
        "--listen",
        "--accept=yes -l 8080 true",
        "--fdname",
        "-E",
        "-l 0 true",
        "-l 70000 true",
        "-l 0x10000 true",
        "-l http true",
        "-l localhost:86 true",
        "-l *:81 true",
        "-l [::1] true",
        "-l [::1]%lo:1234 true",
        "-l @ true",
        "true",
    })
    void refusalsMatch(String args) {
        List<String> argv = args.isEmpty() ? List.of() : List.of(args.split(" "));

        Outcome systemd = run(Launchers.SYSTEMD_SOCKET_ACTIVATE, argv);
        Outcome ours = run(Launchers.socketActivate(), argv);

        assertThat(systemd.status()).isEqualTo(1);
        assertThat(ours).isEqualTo(systemd);
    }

    @Test
    void theProgramReceivesTheSameFdsAndListenVariables() throws IOException {
        ChildReport systemd = reportWithoutAccept(Launchers.SYSTEMD_SOCKET_ACTIVATE);
        ChildReport ours = reportWithoutAccept(Launchers.socketActivate());

        assertThat(ours.fds()).isEqualTo(systemd.fds()).containsExactly(0, 1, 2, 3, 4);
        assertThat(comparable(ours)).isEqualTo(comparable(systemd));
        // systemd 252 execs with whatever signal mask it inherited; we always hand over an empty one.
        assertThat(ours.line("SigBlk:").trim()).isEqualTo("0000000000000000");
        // systemd 252 keeps TERM, PATH, USER, HOME; newer systemd and we also COLORTERM and NO_COLOR.
        assertThat(ours.variableNames()).containsAll(systemd.variableNames());
    }

    @Test
    void acceptedChildrenReceiveTheSameFdsAndListenVariables() throws IOException {
        ChildReport systemd = reportWithAccept(Launchers.SYSTEMD_SOCKET_ACTIVATE);
        ChildReport ours = reportWithAccept(Launchers.socketActivate());

        assertThat(ours.fds()).isEqualTo(systemd.fds()).containsExactly(0, 1, 2, 3);
        assertThat(comparable(ours)).isEqualTo(comparable(systemd));
        assertThat(ours.line("SigBlk:")).isEqualTo(systemd.line("SigBlk:"));
    }

    /** LISTEN_* with LISTEN_PID replaced by whether it is the program's own pid, without LISTEN_PIDFDID. */
    private static Map<String, String> comparable(ChildReport report) {
        Map<String, String> variables = new TreeMap<>(report.listenVariables());
        // LISTEN_PIDFDID is systemd 259's (SocketActivateIT checks ours); the systemd compared against may predate it.
        variables.remove("LISTEN_PIDFDID");
        variables.computeIfPresent("LISTEN_PID", (k, v) -> v.equals(Integer.toString(report.pid())) ? "own pid" : "other pid " + v);
        return variables;
    }

    private ChildReport reportWithoutAccept(Path tool) throws IOException {
        int port = Ports.freeTcpPort();
        List<String> args = new ArrayList<>(List.of("-l", "127.0.0.1:" + port, "-l", "@sockact-compat-" + port,
                "--fdname=tcp:abstract", "-E", "EXTRA=1", "sh", "-c", ChildReport.SCRIPT));
        Children.Started started = children.start(Launchers.command(tool, args.toArray(String[]::new)));
        started.awaitStderr("Listening on 127.0.0.1:" + port + " as 3.");
        try (Socket _ = new Socket(InetAddress.getLoopbackAddress(), port)) {
            started.awaitStdout("end of report", Await.DEFAULT);
        }
        return new ChildReport(started.stdoutText());
    }

    private ChildReport reportWithAccept(Path tool) throws IOException {
        int port = Ports.freeTcpPort();
        Children.Started started = children.start(Launchers.command(tool,
                "-a", "-l", "127.0.0.1:" + port, "sh", "-c", ChildReport.scriptWritingTo(3)));
        started.awaitStderr("Listening on 127.0.0.1:" + port + " as 3.");
        ChildReport report = new ChildReport(Clients.read(port));
        assertThat(report.complete()).as(report.text()).isTrue();
        return report;
    }
}
