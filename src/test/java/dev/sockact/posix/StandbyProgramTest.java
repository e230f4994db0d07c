package dev.sockact.posix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sockact.activation.ListenEnvironment;
import dev.sockact.testing.Await;
import dev.sockact.testing.ChildReport;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The standby program (src/main/c/standby.c) spawned through a spawn server of this test's own, as sockactd spawns
 * a standby: it waits on its socket pair, and on a byte execs the command in its own place with exactly what a
 * plain spawn of the command gives it (the report script of {@link SpawnServerTest}); its exec's errno comes back
 * on the pair; at the pair's end of file it exits with 0.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class StandbyProgramTest {
    private SpawnServer server;

    @BeforeEach
    void launch() {
        server = SpawnServer.launch();
        assumeTrue(server != null && StandbyProgram.available(), "this build has no spawn server or standby program");
    }

    @AfterEach
    void close() {
        if (server != null) {
            server.close();
        }
    }

    /** Spawns {@code request} as a standby; returns its pid and our end of its pair. */
    private record Standing(int pid, Fd go) {
    }

    private Standing stand(SpawnRequest request) throws ErrnoException {
        Fd[] pair = Sockets.socketPair(Sockets.SOCK_SEQPACKET);
        try (Fd theirs = pair[1]) {
            return new Standing(server.spawn(StandbyProgram.wrap(request, theirs)), pair[0]);
        }
    }

    private static void release(Fd go) {
        try (Arena arena = Arena.ofConfined()) {
            assertThat(Sockets.sendRaw(go.fd(), arena.allocate(1), 1, Sockets.MSG_NOSIGNAL)).isEqualTo(1);
        }
    }

    @Test
    void releasedItExecsInItsOwnPlaceWithExactlyTheSpawnsDescriptorsAndEnvironment() throws ErrnoException {
        Fd[] socket = Sockets.socketPair(Sockets.SOCK_STREAM);
        try (Fd a = socket[0]; Fd _ = socket[1]; Pipes.Pipe pipe = Pipes.pipe(0)) {
            List<String> environment = new ArrayList<>(ListenEnvironment.withListenFds(
                    List.of("PATH=/usr/local/bin:/usr/bin:/bin"), 2, List.of("one", "two")));
            ReportingChild child = ReportingChild.run(request -> {
                Standing standing = stand(request);
                try (Fd go = standing.go()) {
                    // Named by the program itself once it runs: the reply comes when it has been exec'd.
                    Await.until("the standby named", () -> Files.comm(standing.pid()).equals("sockact-standby"));
                    release(go);
                }
                return standing.pid();
            }, List.of(a, pipe.writeEnd()), environment, true);

            ChildReport report = child.report();
            assertThat(child.status().success()).as(report.text()).isTrue();
            // No fd 5: the pair's end went with the exec.
            assertThat(report.fds()).as(report.text()).containsExactly(0, 1, 2, 3, 4);
            Map<String, String> listen = new HashMap<>(report.listenVariables());
            if (Pidfd.hasUniqueInodes()) {
                assertThat(listen.remove("LISTEN_PIDFDID")).as(report.text()).matches("[1-9][0-9]*");
            }
            assertThat(listen).containsExactlyInAnyOrderEntriesOf(Map.of(
                    "LISTEN_FDS", "2",
                    "LISTEN_FDNAMES", "one:two",
                    "LISTEN_PID", Integer.toString(child.pid())));
            assertThat(report.line("pid: ")).isEqualTo(Integer.toString(child.pid()));
            assertThat(report.line("fd 4: ")).startsWith("pipe:[");
        }
    }

    @Test
    void anExecThatFailsWritesItsErrnoAndExits127() throws ErrnoException {
        Standing standing = stand(SpawnRequest.of("/nonexistent/program", List.of("program")).build());
        try (Fd go = standing.go(); Pidfd child = Pidfd.open(standing.pid()); Arena arena = Arena.ofConfined()) {
            release(go);
            assertThat(child.await()).isEqualTo(ExitStatus.exited(standing.pid(), 127));
            MemorySegment errno = arena.allocate(ValueLayout.JAVA_INT);
            assertThat(Sockets.recvRaw(go.fd(), errno, 4, Sockets.MSG_DONTWAIT)).isEqualTo(4);
            assertThat(errno.get(ValueLayout.JAVA_INT, 0)).isEqualTo(Errno.ENOENT.number());
        }
    }

    @Test
    void atTheEndOfItsPairItExitsWithoutExecing() throws ErrnoException {
        Standing standing = stand(SpawnRequest.of("/bin/false", List.of("false")).build());
        try (Pidfd child = Pidfd.open(standing.pid())) {
            standing.go().close();
            assertThat(child.await()).isEqualTo(ExitStatus.exited(standing.pid(), 0));   // /bin/false would be 1
        }
    }

    @Test
    void theWrappedRequestKeepsEverythingButTheProgramAndAddsThePairAfterTheSockets() throws ErrnoException {
        assumeTrue(StandbyProgram.available());
        Fd[] pair = Sockets.socketPair(Sockets.SOCK_SEQPACKET);
        try (Fd a = pair[0]; Fd b = pair[1]) {
            SpawnRequest request = SpawnRequest.of("/usr/bin/foo", List.of("foo", "--bar")).passFds(List.of(a))
                    .environment(List.of("X=1")).setListenPid(true).newProcessGroup(true).workingDirectory("/").build();
            SpawnRequest wrapped = StandbyProgram.wrap(request, b);
            assertThat(wrapped.argv()).containsExactly("sockact-standby", "4", "/usr/bin/foo", "foo", "--bar");
            assertThat(wrapped.passFds()).containsExactly(a, b);
            assertThat(wrapped.environment()).isEqualTo(request.environment());
            assertThat(wrapped.setListenPid()).isTrue();
            assertThat(wrapped.newProcessGroup()).isTrue();
            assertThat(wrapped.workingDirectory()).isEqualTo("/");
        }
    }

    /** /proc/PID/comm. */
    private static final class Files {
        static String comm(int pid) {
            try {
                return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/" + pid + "/comm")).strip();
            } catch (java.io.IOException e) {
                return "";
            }
        }
    }
}
