package dev.sockact.posix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sockact.testing.FdIo;
import dev.sockact.testing.Privileges;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The thread rules sockactd's PrivateNetwork=/PrivateTmp= rely on, checked against the kernel: a namespace made
 * by one thread stays that thread's; it outlives the thread through an open descriptor; another thread enters it
 * with setns and posix_spawn's child is then inside; a mount namespace can only be entered after unshare(CLONE_FS).
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class NamespacesTest {
    @BeforeEach
    void needsRoot() {
        Privileges.assumeNamespaces();
    }

    private static <T> T onOwnThread(Callable<T> task) throws Exception {
        AtomicReference<T> result = new AtomicReference<>();
        AtomicReference<Exception> failure = new AtomicReference<>();
        Thread thread = Thread.ofPlatform().start(() -> {
            try {
                result.set(task.call());
            } catch (Exception e) {
                failure.set(e);
            }
        });
        thread.join();
        if (failure.get() != null) {
            throw failure.get();
        }
        return result.get();
    }

    private static String runInside(Fd net, String script) throws Exception {
        try (Pipes.Pipe output = Pipes.pipe(0)) {
            int pid = onOwnThread(() -> {
                Namespaces.setns(net, Namespaces.CLONE_NEWNET);
                return Spawner.spawn(SpawnRequest.of("/bin/sh", List.of("sh", "-c", script))
                        .environment(List.of("PATH=/usr/sbin:/usr/bin:/sbin:/bin")).stdout(output.writeEnd()).build());
            });
            try (Pidfd child = Pidfd.open(pid)) {
                output.writeEnd().close();
                String text = FdIo.readAllText(output.readEnd());
                assertThat(child.await().code()).isZero();
                return text;
            }
        }
    }

    @Test
    void aNewNetworkNamespaceHasOnlyLoopbackUpAndTheCallerStaysOutside() throws Exception {
        String hostNet = PosixFilesReadlink.of("/proc/thread-self/ns/net");
        try (Fd net = onOwnThread(() -> {
            Namespaces.unshare(Namespaces.CLONE_NEWNET);
            Namespaces.loopbackUp();
            return Namespaces.openOwn("net");
        })) {
            assertThat(PosixFilesReadlink.of("/proc/thread-self/ns/net")).isEqualTo(hostNet);
            // /proc/net follows the reader's namespace (/sys/class/net would show the host's, as sysfs was mounted there).
            assertThat(runInside(net, "tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '")).isEqualTo("lo\n");
            assumeTrue(Files.isExecutable(Path.of("/usr/sbin/ip"))
                    || Files.isExecutable(Path.of("/sbin/ip")), "ip(8) is not installed");
            assertThat(runInside(net, "ip -o link show lo")).contains("<LOOPBACK,UP");
        }
    }

    @Test
    void aMountNamespaceIsEnteredOnlyByAThreadWithItsOwnFileSystemInformation() throws Exception {
        try (Fd mnt = onOwnThread(() -> {
            Namespaces.unshare(Namespaces.CLONE_NEWNS);
            Namespaces.mount(null, "/", null, Namespaces.MS_REC | Namespaces.MS_SLAVE);
            return Namespaces.openOwn("mnt");
        })) {
            assertThatThrownBy(() -> onOwnThread(() -> {
                Namespaces.setns(mnt, Namespaces.CLONE_NEWNS);
                return null;
            })).isInstanceOf(ErrnoException.class).hasMessageContaining("EINVAL");
            String entered = onOwnThread(() -> {
                Namespaces.unshare(Namespaces.CLONE_FS);
                Namespaces.setns(mnt, Namespaces.CLONE_NEWNS);
                return PosixFilesReadlink.of("/proc/thread-self/ns/mnt");
            });
            assertThat(entered).isNotEqualTo(PosixFilesReadlink.of("/proc/thread-self/ns/mnt"));
        }
    }

    /** readlink of a namespace file: "net:[4026531840]" names the namespace. */
    private static final class PosixFilesReadlink {
        static String of(String path) throws IOException {
            return Files.readSymbolicLink(Path.of(path)).toString();
        }
    }
}
