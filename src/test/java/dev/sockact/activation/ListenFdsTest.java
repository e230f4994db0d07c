package dev.sockact.activation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sockact.posix.ErrnoException;
import dev.sockact.posix.Fd;
import dev.sockact.posix.Pidfd;
import dev.sockact.posix.Pipes;
import dev.sockact.posix.SpawnRequest;
import dev.sockact.posix.Spawner;
import dev.sockact.posix.Sockets;
import dev.sockact.testing.FdIo;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * sd_listen_fds semantics. The refusals are checked in process (they return
 * before touching any descriptor); the positive cases run {@link ListenFdsProbe}
 * in a child JVM that really has the sockets at 3.., spawned by our producer side.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ListenFdsTest {
    private static final int PID = 4242;

    private static Map<String, String> env(String... pairs) {
        Map<String, String> env = new HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        return env;
    }

    @Test
    void nothingWhenListenPidIsMissingOrNamesAnotherProcess() throws Exception {
        assertThat(ListenFds.fromEnvironment(env("LISTEN_FDS", "2"), PID)).isEmpty();
        assertThat(ListenFds.fromEnvironment(env("LISTEN_FDS", "2", "LISTEN_PID", "4243"), PID)).isEmpty();
        assertThat(ListenFds.fromEnvironment(env("LISTEN_PID", Integer.toString(PID)), PID)).isEmpty();
        assertThat(ListenFds.fromEnvironment(Map.of(), PID)).isEmpty();
    }

    /**
     * systemd 259's LISTEN_PIDFDID, checked against a pidfd for our own pid. A malformed LISTEN_FDS shows how far the
     * check let the variables through: with our ID it is reported, with another process's the variables are not ours.
     */
    @Test
    void listenPidfdIdMustBeOurs() {
        int own = (int) ProcessHandle.current().pid();
        OptionalLong id = Pidfd.inodeId(own);
        assumeTrue(id.isPresent(), "pidfds have no inode IDs on this kernel (no pidfs, before Linux 6.9)");
        String ownId = Long.toUnsignedString(id.getAsLong());
        Map<String, String> ours = env("LISTEN_PID", Integer.toString(own), "LISTEN_PIDFDID", ownId, "LISTEN_FDS", "0");
        assertThatThrownBy(() -> ListenFds.fromEnvironment(ours, own)).isInstanceOf(ListenFds.MalformedException.class);
        Map<String, String> reused = env("LISTEN_PID", Integer.toString(own),
                "LISTEN_PIDFDID", Long.toUnsignedString(id.getAsLong() + 1), "LISTEN_FDS", "0");
        assertThatNoException().isThrownBy(() -> assertThat(ListenFds.fromEnvironment(reused, own)).isEmpty());
        Map<String, String> bad = env("LISTEN_PID", Integer.toString(own), "LISTEN_PIDFDID", "x1", "LISTEN_FDS", "1");
        assertThatThrownBy(() -> ListenFds.fromEnvironment(bad, own))
                .isInstanceOf(ListenFds.MalformedException.class).hasMessage("LISTEN_PIDFDID=x1 is not a pidfd ID");
    }

    @Test
    void malformedVariablesAreErrors() {
        for (Map<String, String> bad : List.of(
                env("LISTEN_PID", "42x", "LISTEN_FDS", "1"),
                env("LISTEN_PID", "4242", "LISTEN_FDS", "0"),
                env("LISTEN_PID", "4242", "LISTEN_FDS", "-1"),
                env("LISTEN_PID", "4242", "LISTEN_FDS", "two"),
                env("LISTEN_PID", "4242", "LISTEN_FDS", ""),
                env("LISTEN_PID", "4242", "LISTEN_FDS", "2", "LISTEN_FDNAMES", "a"),
                env("LISTEN_PID", "4242", "LISTEN_FDS", "2", "LISTEN_FDNAMES", "a:b:c"))) {
            assertThatThrownBy(() -> ListenFds.fromEnvironment(bad, PID))
                    .as(bad.toString())
                    .isInstanceOf(ListenFds.MalformedException.class);
        }
    }

    @Test
    void aChildAdoptsItsSocketsWithNamesAndCloexec() throws Exception {
        String out = runProbe(2, List.of("web", "admin"), true, List.of());

        assertThat(out.lines()).containsExactly(
                "count=2",
                "fd=3 name=web type=" + Sockets.SOCK_STREAM + " cloexec=true",
                "fd=4 name=admin type=" + Sockets.SOCK_STREAM + " cloexec=true");
    }

    @Test
    void missingNamesAreUnknown() throws Exception {
        assertThat(runProbe(1, List.of(), true, List.of()).lines())
                .containsExactly("count=1", "fd=3 name=unknown type=" + Sockets.SOCK_STREAM + " cloexec=true");
    }

    @Test
    void aChildWhoseListenPidIsNotItsOwnIgnoresTheVariables() throws Exception {
        assertThat(runProbe(1, List.of(), false, List.of("LISTEN_PID=1")).lines()).containsExactly("count=0");
    }

    private static String runProbe(int sockets, List<String> names, boolean setListenPid, List<String> extraEnv)
            throws ErrnoException {
        List<Fd> fds = new ArrayList<>();
        try (Pipes.Pipe output = Pipes.pipe(0)) {
            for (int i = 0; i < sockets; i++) {
                fds.add(Sockets.socketPair(Sockets.SOCK_STREAM)[0]);
            }
            List<String> env = new ArrayList<>(ListenEnvironment.withListenFds(List.of(), sockets, names));
            env.addAll(extraEnv);
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            SpawnRequest request = SpawnRequest.of(java, List.of("java", "-Xshare:auto", "-XX:TieredStopAtLevel=1",
                            "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                            ListenFdsProbe.class.getName()))
                    .passFds(fds).environment(env).setListenPid(setListenPid).stdout(output.writeEnd()).build();
            int pid = Spawner.spawn(request);
            try (Pidfd child = Pidfd.open(pid)) {
                output.writeEnd().close();
                String text = FdIo.readAllText(output.readEnd());
                assertThat(child.await().success()).as(text).isTrue();
                return text;
            }
        } finally {
            fds.forEach(Fd::close);
        }
    }
}
