package dev.sockact.posix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sockact.activation.ListenEnvironment;
import dev.sockact.testing.ChildReport;
import dev.sockact.testing.FdIo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A child started by {@link Spawner} reports what it received: which
 * descriptors are open, its LISTEN_* variables, its own pid and its signal
 * mask and ignored signals (from /proc). Nothing in it may come from us by accident.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SpawnerTest {
    private record Report(int pid, ExitStatus status, ChildReport report) {
        List<Integer> fds() {
            return report.fds();
        }

        String line(String prefix) {
            return report.line(prefix);
        }

        Map<String, String> listenVariables() {
            return report.listenVariables();
        }

        String text() {
            return report.text();
        }
    }

    /** Spawns the report script with {@code fds} at 3.. and its stdout on a pipe we read to the end. */
    private static Report spawnReport(List<Fd> fds, List<String> environment, boolean setListenPid) throws ErrnoException {
        return spawnReport(fds, environment, setListenPid, true);
    }

    private static Report spawnReport(List<Fd> fds, List<String> environment, boolean setListenPid,
                                      boolean trampolineAllowed) throws ErrnoException {
        ReportingChild child = ReportingChild.run(request -> Spawner.spawn(request, trampolineAllowed), fds,
                environment, setListenPid);
        return new Report(child.pid(), child.status(), child.report());
    }

    private static List<String> path() {
        return List.of("PATH=/usr/local/bin:/usr/bin:/bin");
    }

    @Test
    void childGetsExactlyStdioAndThePassedFdsWithListenVariablesAndItsOwnPid() throws ErrnoException {
        childGetsExactlyStdioAndThePassedFdsWithListenVariablesAndItsOwnPid(true);
    }

    /**
     * The shell sets LISTEN_PID where the trampoline cannot be used (another architecture, no memfd exec); it cannot
     * open a pidfd, so there is no LISTEN_PIDFDID.
     */
    @Test
    void throughTheShellFallbackTheChildGetsTheSame() throws ErrnoException {
        childGetsExactlyStdioAndThePassedFdsWithListenVariablesAndItsOwnPid(false);
    }

    /** The trampoline execs the program with its own argv[0] (the shell fallback would make it the path). */
    @Test
    void theTrampolineKeepsTheProgramsArgvZeroAndItsPid() throws ErrnoException {
        try (Pipes.Pipe output = Pipes.pipe(0)) {
            SpawnRequest request = SpawnRequest.of("/bin/sh", List.of("my-name", "-c", "echo $0 $LISTEN_PID $$"))
                    .environment(List.of("LISTEN_PID=1")).setListenPid(true).stdout(output.writeEnd()).build();
            int pid = Spawner.spawn(request);
            try (Pidfd child = Pidfd.open(pid)) {
                output.writeEnd().close();
                String text = FdIo.readAllText(output.readEnd());
                assertThat(child.await().success()).isTrue();
                assertThat(text).isEqualTo("my-name " + pid + " " + pid + "\n");
            }
        }
    }

    private void childGetsExactlyStdioAndThePassedFdsWithListenVariablesAndItsOwnPid(boolean trampolineAllowed)
            throws ErrnoException {
        Fd[] pair = Sockets.socketPair(Sockets.SOCK_STREAM);
        try (Fd a = pair[0]; Fd _ = pair[1]; Pipes.Pipe pipe = Pipes.pipe(0);
             Fd _ = Sockets.socket(SockAddr.AF_INET, Sockets.SOCK_STREAM, 0)) {
            // Parent-side descriptors the child must not see: the other end of the pair, the pipe's read end, a socket.
            List<Fd> passed = List.of(a, pipe.writeEnd(), Io.duplicate(a.fd(), 40));
            List<String> env = ListenEnvironment.withListenFds(path(), 3, List.of("one", "two", "three"));

            Report report = spawnReport(passed, env, true, trampolineAllowed);

            assertThat(report.status().success()).as(report.text()).isTrue();
            assertThat(report.fds()).as(report.text()).containsExactly(0, 1, 2, 3, 4, 5);
            Map<String, String> listen = new HashMap<>(report.listenVariables());
            // systemd 259's pidfd ID, from the trampoline only (ListenPidTrampolineTest compares it with ours).
            boolean pidfdId = trampolineAllowed && Pidfd.hasUniqueInodes();
            assertThat(listen.containsKey("LISTEN_PIDFDID")).as(report.text()).isEqualTo(pidfdId);
            if (pidfdId) {
                assertThat(listen.remove("LISTEN_PIDFDID")).matches("[1-9][0-9]*");
            }
            assertThat(listen).containsExactlyInAnyOrderEntriesOf(Map.of(
                    "LISTEN_FDS", "3",
                    "LISTEN_FDNAMES", "one:two:three",
                    "LISTEN_PID", Integer.toString(report.pid())));
            assertThat(report.line("pid: ")).isEqualTo(Integer.toString(report.pid()));
            assertThat(report.line("fd 3: ")).startsWith("socket:[");
            assertThat(report.line("fd 4: ")).startsWith("pipe:[");
            assertThat(report.line("fd 5: ")).isEqualTo(report.line("fd 3: "));
            passed.get(2).close();
        }
    }

    /**
     * glibc's posix_spawn leaves its two internal signals (32 SIGCANCEL, 33 SIGSETXID) at SIG_IGN in
     * the child: its sigfillset never includes them in the "set to default" set. Every ordinary signal
     * must be at its default and none blocked. (The exec-in-place path of socket-activate has no such gap.)
     */
    private static final long GLIBC_INTERNAL_SIGNALS = (1L << 31) | (1L << 32);

    @Test
    void signalMaskIsEmptyAndNoOrdinarySignalIsIgnored() throws ErrnoException {
        Report report = spawnReport(List.of(), path(), false);

        assertThat(report.line("SigBlk:").trim()).isEqualTo("0000000000000000");
        long ignored = Long.parseUnsignedLong(report.line("SigIgn:").trim(), 16);
        assertThat(ignored & ~GLIBC_INTERNAL_SIGNALS).as("SigIgn %x", ignored).isZero();
    }

    @Test
    void inheritedListenVariablesAreNotPassedOn() throws ErrnoException {
        Map<String, String> ours = Map.of("PATH", "/usr/bin:/bin", "LISTEN_FDS", "7", "LISTEN_PID", "1",
                "LISTEN_FDNAMES", "stale", "KEEP", "me");

        Report report = spawnReport(List.of(), ListenEnvironment.withoutListenVariables(ours), false);

        assertThat(report.listenVariables()).isEmpty();
        assertThat(report.report().variableNames()).contains("KEEP", "PATH");
        assertThat(report.fds()).containsExactly(0, 1, 2);
    }

    @Test
    void withoutListenPidRequestedTheChildGetsNone() throws ErrnoException {
        Fd[] pair = Sockets.socketPair(Sockets.SOCK_STREAM);
        try (Fd a = pair[0]; Fd _ = pair[1]) {
            Report report = spawnReport(List.of(a), ListenEnvironment.withListenFds(path(), 1, List.of()), false);

            assertThat(report.listenVariables()).containsExactlyEntriesOf(Map.of("LISTEN_FDS", "1"));
            assertThat(report.fds()).containsExactly(0, 1, 2, 3);
        }
    }

    @Test
    void passedFdsKeepTheirOrderWhateverTheirNumbers() throws ErrnoException {
        // Sources at 3.. in reverse order: placing fd 3 must not clobber a source still to be placed.
        List<Fd> sources = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                sources.add(Io.duplicate(0, 3));
            }
            Fd[] pair = Sockets.socketPair(Sockets.SOCK_STREAM);
            sources.add(pair[0]);
            sources.add(pair[1]);
            List<Fd> passed = List.of(pair[1], pair[0]);

            Report report = spawnReport(passed, path(), false);

            assertThat(report.fds()).containsExactly(0, 1, 2, 3, 4);
            assertThat(report.line("fd 3: ")).startsWith("socket:[").isNotEqualTo(report.line("fd 4: "));
        } finally {
            sources.forEach(Fd::close);
        }
    }

    @Test
    void exitStatusAndKillingSignalAreReported() throws ErrnoException {
        int pid = Spawner.spawn(SpawnRequest.of("/bin/sh", List.of("sh", "-c", "exit 3")).build());
        try (Pidfd child = Pidfd.open(pid)) {
            ExitStatus status = child.await();
            assertThat(status).isEqualTo(ExitStatus.exited(pid, 3));
            assertThat(status).hasToString("code=exited, status=3");
        }

        int sleeper = Spawner.spawn(SpawnRequest.of("/bin/sleep", List.of("sleep", "600")).build());
        try (Pidfd child = Pidfd.open(sleeper)) {
            assertThat(child.poll()).isEmpty();
            assertThat(child.signal(Signals.SIGTERM)).isTrue();
            ExitStatus status = child.await();
            assertThat(status.signal()).isEqualTo(Signals.SIGTERM);
            assertThat(status.shellStatus()).isEqualTo(128 + 15);
            assertThat(status).hasToString("code=killed, signal=TERM");
        }
    }

    @Test
    void aMissingProgramIsAnErrorNotAnExitStatus() {
        assertThatThrownBy(() -> Spawner.spawn(SpawnRequest.of("/nonexistent/program", List.of("program")).build()))
                .isInstanceOf(ErrnoException.class)
                .hasMessage("posix_spawn(/nonexistent/program): ENOENT (No such file or directory)");
    }

    /**
     * With LISTEN_PID the trampoline or the shell execs the program, where a missing one would be a child that
     * exits 127: it is the same error as without, before anything is started.
     */
    @Test
    void withListenPidAMissingOrNonExecutableProgramIsTheSameError(@TempDir Path dir) throws Exception {
        Path plain = Files.writeString(dir.resolve("not-executable"), "#!/bin/sh\n");
        for (boolean trampolineAllowed : new boolean[] {true, false}) {
            SpawnRequest missing = SpawnRequest.of("/nonexistent/program", List.of("program")).setListenPid(true)
                    .build();
            assertThatThrownBy(() -> Spawner.spawn(missing, trampolineAllowed))
                    .isInstanceOf(ErrnoException.class)
                    .hasMessage("posix_spawn(/nonexistent/program): ENOENT (No such file or directory)");
            SpawnRequest notExecutable = SpawnRequest.of(plain.toString(), List.of("program")).setListenPid(true)
                    .build();
            assertThatThrownBy(() -> Spawner.spawn(notExecutable, trampolineAllowed))
                    .isInstanceOf(ErrnoException.class)
                    .hasMessage("posix_spawn(" + plain + "): EACCES (Permission denied)");
        }
    }
}
