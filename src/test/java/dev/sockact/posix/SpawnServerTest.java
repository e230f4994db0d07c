package dev.sockact.posix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sockact.activation.ListenEnvironment;
import dev.sockact.event.EventLoop;
import dev.sockact.testing.ChildReport;
import dev.sockact.testing.FdIo;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Children started through a {@link SpawnServer} of this test's own (the process's, {@link SpawnServer#start}, is
 * left alone): they report what they received, as in {@link SpawnerTest}, and must get the same as from
 * posix_spawn, with LISTEN_PID written by the server's child itself, and be our children, not the server's.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SpawnServerTest {
    private SpawnServer server;

    @BeforeEach
    void launch() {
        server = SpawnServer.launch();
        assumeTrue(server != null, "this build has no spawn server (no C compiler when it was built)");
    }

    @AfterEach
    void close() {
        if (server != null) {
            server.close();
        }
    }

    private ReportingChild spawnReport(List<Fd> fds, List<String> environment, boolean setListenPid)
            throws ErrnoException {
        ReportingChild child = ReportingChild.run(server::spawn, fds, environment, setListenPid);
        assertThat(child.pid()).isPositive();
        return child;
    }

    private static List<String> path() {
        return List.of("PATH=/usr/local/bin:/usr/bin:/bin");
    }

    @Test
    void childGetsExactlyStdioAndThePassedFdsWithListenVariablesItsOwnPidAndItsPidfdId() throws ErrnoException {
        Fd[] pair = Sockets.socketPair(Sockets.SOCK_STREAM);
        try (Fd a = pair[0]; Fd _ = pair[1]; Pipes.Pipe pipe = Pipes.pipe(0);
             Fd _ = Sockets.socket(SockAddr.AF_INET, Sockets.SOCK_STREAM, 0);
             Fd copy = Io.duplicate(a.fd(), 40)) {
            List<Fd> passed = List.of(a, pipe.writeEnd(), copy);
            List<String> environment = new ArrayList<>(
                    ListenEnvironment.withListenFds(path(), 3, List.of("one", "two", "three")));
            environment.add("LISTEN_PID=1");   // stale: replaced, not passed on

            ReportingChild spawned = spawnReport(passed, environment, true);

            ChildReport report = spawned.report();
            assertThat(spawned.status().success()).as(report.text()).isTrue();
            assertThat(report.fds()).as(report.text()).containsExactly(0, 1, 2, 3, 4, 5);
            Map<String, String> listen = new HashMap<>(report.listenVariables());
            if (Pidfd.hasUniqueInodes()) {
                assertThat(listen.remove("LISTEN_PIDFDID")).as(report.text()).matches("[1-9][0-9]*");
            }
            assertThat(listen).containsExactlyInAnyOrderEntriesOf(Map.of(
                    "LISTEN_FDS", "3",
                    "LISTEN_FDNAMES", "one:two:three",
                    "LISTEN_PID", Integer.toString(spawned.pid())));
            assertThat(report.line("pid: ")).isEqualTo(Integer.toString(spawned.pid()));
            assertThat(report.line("fd 3: ")).startsWith("socket:[");
            assertThat(report.line("fd 4: ")).startsWith("pipe:[");
            assertThat(report.line("fd 5: ")).isEqualTo(report.line("fd 3: "));
        }
    }

    /** The ID names the child's own pidfd: the one we open for it has the same inode. */
    @Test
    void listenPidfdIdIsTheInodeOfTheChildsPidfd() throws ErrnoException {
        assumeTrue(Pidfd.hasUniqueInodes(), "pidfds have no inodes of their own before pidfs");
        try (Pipes.Pipe output = Pipes.pipe(0)) {
            // The child waits for its stdin to close, so that the ID is read while it runs.
            try (Pipes.Pipe input = Pipes.pipe(0)) {
                int pid = server.spawn(SpawnRequest.of("/bin/sh", List.of("sh", "-c", "echo $LISTEN_PIDFDID; cat"))
                        .setListenPid(true).stdout(output.writeEnd()).stdin(input.readEnd()).build());
                try (Pidfd child = Pidfd.open(pid)) {
                    long expected = Pidfd.inodeId(pid).orElseThrow();
                    input.writeEnd().close();
                    output.writeEnd().close();
                    assertThat(FdIo.readAllText(output.readEnd())).isEqualTo(expected + "\n");
                    assertThat(child.await().success()).isTrue();
                }
            }
        }
    }

    @Test
    void theChildKeepsItsArgvZeroAndIsOursNotTheServers() throws ErrnoException {
        try (Pipes.Pipe output = Pipes.pipe(0)) {
            SpawnRequest request = SpawnRequest.of("/bin/sh", List.of("my-name", "-c",
                    "echo $0 $LISTEN_PID $$ $(cut -d' ' -f4 /proc/$$/stat)")).setListenPid(true)
                    .stdout(output.writeEnd()).build();
            int pid = server.spawn(request);
            try (Pidfd child = Pidfd.open(pid)) {
                output.writeEnd().close();
                String text = FdIo.readAllText(output.readEnd());
                assertThat(child.await().success()).isTrue();
                assertThat(text).isEqualTo("my-name " + pid + " " + pid + " " + Processes.pid() + "\n");
            }
        }
    }

    /** Unlike posix_spawn's children, not even glibc's two internal signals are left ignored. */
    @Test
    void signalMaskIsEmptyAndNoSignalIsIgnored() throws ErrnoException {
        ChildReport report = spawnReport(List.of(), path(), false).report();

        assertThat(report.line("SigBlk:").trim()).isEqualTo("0000000000000000");
        assertThat(report.line("SigIgn:").trim()).isEqualTo("0000000000000000");
    }

    @Test
    void withoutListenPidRequestedTheChildGetsNoneAndTheEnvironmentAsGiven() throws ErrnoException {
        Fd[] pair = Sockets.socketPair(Sockets.SOCK_STREAM);
        try (Fd a = pair[0]; Fd _ = pair[1]) {
            List<String> environment = new ArrayList<>(ListenEnvironment.withListenFds(path(), 1, List.of()));
            environment.add("KEEP=me");

            ChildReport report = spawnReport(List.of(a), environment, false).report();

            assertThat(report.listenVariables()).containsExactlyEntriesOf(Map.of("LISTEN_FDS", "1"));
            assertThat(report.variableNames()).contains("KEEP", "PATH");
            assertThat(report.fds()).containsExactly(0, 1, 2, 3);
        }
    }

    @Test
    void passedFdsKeepTheirOrderWhateverTheirNumbersInTheServer() throws ErrnoException {
        Fd[] pair = Sockets.socketPair(Sockets.SOCK_STREAM);
        Fd[] second = Sockets.socketPair(Sockets.SOCK_STREAM);
        try (Fd a = pair[0]; Fd b = pair[1]; Fd c = second[0]; Fd _ = second[1]) {
            // Five fds: in the server they arrive at 4..8, so each but the first is a target of another.
            ChildReport report = spawnReport(List.of(c, b, a, c, b), path(), false).report();

            assertThat(report.fds()).containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
            assertThat(report.line("fd 3: ")).isEqualTo(report.line("fd 6: "));
            assertThat(report.line("fd 4: ")).isEqualTo(report.line("fd 7: "));
            assertThat(report.line("fd 5: ")).startsWith("socket:[").isNotEqualTo(report.line("fd 4: "));
        }
    }

    @Test
    void workingDirectoryAndANewProcessGroup() throws ErrnoException, IOException {
        Path directory = Files.createTempDirectory("spawn-server-test").toRealPath();
        try (Pipes.Pipe output = Pipes.pipe(0)) {
            int pid = server.spawn(SpawnRequest.of("/bin/sh", List.of("sh", "-c",
                    "pwd; cut -d' ' -f5 /proc/$$/stat")).workingDirectory(directory.toString()).newProcessGroup(true)
                    .stdout(output.writeEnd()).build());
            try (Pidfd child = Pidfd.open(pid)) {
                output.writeEnd().close();
                String text = FdIo.readAllText(output.readEnd());
                assertThat(child.await().success()).isTrue();
                assertThat(text).isEqualTo(directory + "\n" + pid + "\n");
            }
        } finally {
            Files.delete(directory);
        }
    }

    /**
     * A request made from another with other stdio is sent with the strings kept from the first (SpawnServer keeps
     * the last request's), each to its own output; one with other strings after it is sent with its own.
     */
    @Test
    void aRequestWithTheStringsOfTheLastGetsThemAndOneWithOthersGetsItsOwn() throws ErrnoException, IOException {
        SpawnRequest first = SpawnRequest.of("/bin/sh", List.of("sh", "-c", "echo \"$WORD\" $0"))
                .environment(List.of("WORD=first")).build();
        assertThat(run(first)).isEqualTo("first sh\n");
        assertThat(run(first)).isEqualTo("first sh\n");
        SpawnRequest other = SpawnRequest.of("/bin/sh", first.argv()).environment(List.of("WORD=second")).build();
        assertThat(run(other)).isEqualTo("second sh\n");
        SpawnRequest otherArgv = SpawnRequest.of("/bin/sh", List.of("sh", "-c", "echo argv \"$WORD\""))
                .environment(other.environment()).build();
        assertThat(run(otherArgv)).isEqualTo("argv second\n");
    }

    /** {@code request}, with a fresh pipe as its stdout (withStdio): what it printed. */
    private String run(SpawnRequest request) throws ErrnoException, IOException {
        try (Pipes.Pipe output = Pipes.pipe(0)) {
            int pid = server.spawn(request.withStdio(null, output.writeEnd(), null));
            try (Pidfd child = Pidfd.open(pid)) {
                output.writeEnd().close();
                String text = FdIo.readAllText(output.readEnd());
                assertThat(child.await().success()).isTrue();
                return text;
            }
        }
    }

    /** Reported as posix_spawn reports it, and the child that failed to exec is reaped, not left a zombie. */
    @Test
    void aMissingProgramIsAnErrorAndLeavesNoZombie() throws IOException {
        List<Integer> before = children();

        assertThatThrownBy(() -> server.spawn(SpawnRequest.of("/nonexistent/program", List.of("program")).build()))
                .isInstanceOf(ErrnoException.class)
                .hasMessage("posix_spawn(/nonexistent/program): ENOENT (No such file or directory)");
        assertThatThrownBy(() -> server.spawn(SpawnRequest.of("/bin/true", List.of("true"))
                .workingDirectory("/nonexistent").build()))
                .isInstanceOf(ErrnoException.class)
                .hasMessageContaining("ENOENT");

        assertThat(children()).isEqualTo(before);
    }

    @Test
    void aRequestBeyondTheServersBoundIsLeftToPosixSpawn() throws ErrnoException {
        String large = "BIG=" + "x".repeat(SpawnServer.MAX_REQUEST);

        assertThat(server.spawn(SpawnRequest.of("/bin/true", List.of("true")).environment(List.of(large)).build()))
                .isEqualTo(SpawnServer.NOT_TAKEN);
    }

    /** A server that is gone takes nothing more, so the spawn is done here; nothing was started twice. */
    @Test
    void aServerThatIsGoneTakesNoRequest() throws ErrnoException {
        Processes.kill(server.processId(), Signals.SIGKILL);
        Processes.await(server.processId());

        assertThat(server.spawn(SpawnRequest.of("/bin/true", List.of("true")).build()))
                .isEqualTo(SpawnServer.NOT_TAKEN);
    }

    /** Records what each {@link SpawnServer.Reply} is told, in the order told. */
    private static final class Replies {
        final List<String> told = new ArrayList<>();
        final List<Integer> pids = new ArrayList<>();

        SpawnServer.Reply named(String name) {
            return new SpawnServer.Reply() {
                @Override
                public void spawned(int pid) {
                    told.add(name + " spawned");
                    pids.add(pid);
                }

                @Override
                public void failed(ErrnoException e) {
                    told.add(name + " failed: " + e.getMessage());
                }
            };
        }

        void reap() {
            pids.forEach(Processes::await);
        }
    }

    private static SpawnRequest trueRequest() {
        return SpawnRequest.of("/bin/true", List.of("true")).build();
    }

    /**
     * Requests sent without waiting are answered in the order sent; a spawn that waits for its own child first hands
     * the replies before its own to their requests.
     */
    @Test
    void submittedRequestsAreAnsweredInOrderAndAWaitingSpawnPassesEarlierRepliesOn() throws ErrnoException {
        Replies replies = new Replies();
        assertThat(server.submit(trueRequest(), replies.named("first"))).isTrue();
        assertThat(server.submit(SpawnRequest.of("/nonexistent/program", List.of("program")).build(),
                replies.named("second"))).isTrue();
        assertThat(server.inFlight()).isEqualTo(2);

        int third = server.spawn(trueRequest());

        assertThat(replies.told).containsExactly("first spawned",
                "second failed: posix_spawn(/nonexistent/program): ENOENT (No such file or directory)");
        assertThat(third).isPositive();
        assertThat(server.inFlight()).isZero();
        replies.reap();
        Processes.await(third);
    }

    /** What an event loop does: it watches the reply descriptor and reads what has come, never waiting for more. */
    @Test
    void aLoopWatchingTheReplyDescriptorGetsEveryReply() throws ErrnoException {
        Replies replies = new Replies();
        try (EventLoop loop = EventLoop.create()) {
            loop.watch(server.replyFd(), Epoll.EPOLLIN, events -> {
                assertThat(server.readReplies()).isTrue();
                if (server.inFlight() == 0) {
                    loop.stop();
                }
            });
            for (String name : List.of("a", "b", "c")) {
                assertThat(server.submit(trueRequest(), replies.named(name))).isTrue();
            }
            loop.run();
        }
        assertThat(replies.told).containsExactly("a spawned", "b spawned", "c spawned");
        assertThat(replies.pids).doesNotHaveDuplicates().allMatch(pid -> pid > 0);
        replies.reap();
    }

    /**
     * A request sent to a server that then goes is told it failed (the server might have started it: it is never
     * sent again), and the reader learns the server is gone.
     */
    @Test
    void aRequestPendingWhenTheServerGoesFailsAndTheReaderIsToldToStop() throws ErrnoException {
        server.replyFd();
        // Stopped, it takes nothing from the socket before it is killed: the request stays unanswered.
        Processes.kill(server.processId(), Signals.SIGSTOP);
        Replies replies = new Replies();
        assertThat(server.submit(trueRequest(), replies.named("pending"))).isTrue();
        Processes.kill(server.processId(), Signals.SIGKILL);
        Processes.await(server.processId());

        assertThat(server.readReplies()).isFalse();

        assertThat(replies.told).containsExactly("pending failed: spawn server(/bin/true): ECONNRESET"
                + " (Connection reset by peer)");
        assertThat(server.submit(trueRequest(), replies.named("later"))).isFalse();
    }

    /** This JVM's children, from every thread's list: they are ours whichever thread asked. */
    private static List<Integer> children() throws IOException {
        List<Integer> out = new ArrayList<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path task : tasks) {
                try {
                    for (String pid : Files.readString(task.resolve("children")).trim().split("\\s+")) {
                        if (!pid.isEmpty()) {
                            out.add(Integer.parseInt(pid));
                        }
                    }
                } catch (IOException e) {
                    // the thread ended meanwhile
                }
            }
        }
        out.sort(null);
        return out;
    }
}
