package dev.sockact.daemon;

import dev.sockact.posix.Fd;
import dev.sockact.posix.SockAddr;
import dev.sockact.posix.Sockets;
import dev.sockact.proxy.ProxyListener;
import dev.sockact.unit.ServiceUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The kept hosting decision: made again exactly when what it depends on changes. */
class HostingPlanTest {
    private static final String OURS = Path.of("bin/socket-proxyd").toAbsolutePath().toString();

    @TempDir
    Path dir;

    private final HostingPlan plan = new HostingPlan();

    private ServiceUnit load(String service) throws IOException {
        return ProxyHostingTest.load(dir, service);
    }

    private HostingPlan.Decision decide(ServiceUnit unit, Map<String, String> environment) {
        return plan.decide(unit, unit.execStart().getFirst(), environment, false, false);
    }

    @Test
    void theSameDefinitionAndCommandLineKeepTheDecision() throws IOException {
        ServiceUnit unit = load("[Service]\nExecStart=" + OURS + " -c 3 $T\n");
        HostingPlan.Decision first = decide(unit, Map.of("T", "127.0.0.1:80"));
        assertThat(first.socketProxyd()).isTrue();
        assertThat(first.arguments().orElseThrow().config().connectionsMax()).isEqualTo(3);
        assertThat(first.resolvers()).containsOnlyKeys("");
        assertThat(decide(unit, Map.of("T", "127.0.0.1:80"))).isSameAs(first);
    }

    @Test
    void aVariableThatExpandsDifferentlyOrANewDefinitionDecidesAgain() throws IOException {
        ServiceUnit unit = load("[Service]\nExecStart=" + OURS + " $T\n");
        HostingPlan.Decision first = decide(unit, Map.of("T", "127.0.0.1:80"));
        HostingPlan.Decision other = decide(unit, Map.of("T", "127.0.0.1:81"));
        assertThat(other).isNotSameAs(first);
        assertThat(other.arguments().orElseThrow().target().toString()).isEqualTo("127.0.0.1:81");
        ServiceUnit reloaded = load("[Service]\nExecStart=" + OURS + " $T\nUser=nobody\n");
        HostingPlan.Decision afterReload = decide(reloaded, Map.of("T", "127.0.0.1:81"));
        assertThat(afterReload.socketProxyd()).isTrue();
        assertThat(afterReload.needs()).containsExactly("User=");
        assertThat(afterReload.arguments()).isEmpty();
    }

    @Test
    void aProgramThatWentIsSpawnedToFailAsAProcessWould() throws IOException {
        Path launcher = dir.resolve("socket-proxyd");
        Files.writeString(launcher, Files.readString(Path.of(OURS)));
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
        ServiceUnit unit = load("[Service]\nExecStart=" + launcher + " 127.0.0.1:80\n");
        assertThat(decide(unit, Map.of()).socketProxyd()).isTrue();
        Files.delete(launcher);
        assertThat(decide(unit, Map.of()).socketProxyd()).isFalse();
    }

    @Test
    void theListenersAreKeptForTheSameSocketsAndMadeForNewOnes() throws Exception {
        ServiceUnit unit = load("[Service]\nExecStart=" + OURS + " 127.0.0.1:80\n");
        decide(unit, Map.of());
        try (Fd a = listening(); Fd b = listening()) {
            List<ProxyListener> first = plan.listeners(List.of(a), List.of("p.socket"));
            assertThat(first).hasSize(1);
            assertThat(first.getFirst().socket()).isSameAs(a);
            assertThat(plan.listeners(List.of(a), List.of("p.socket"))).isSameAs(first);
            List<ProxyListener> other = plan.listeners(List.of(b), List.of("p.socket"));
            assertThat(other.getFirst().socket()).isSameAs(b);
        }
    }

    private static Fd listening() throws Exception {
        Fd fd = Sockets.socket(SockAddr.AF_INET, Sockets.SOCK_STREAM, 0);
        Sockets.bind(fd, new SockAddr.In4((java.net.Inet4Address) java.net.InetAddress.getByName("127.0.0.1"), 0));
        Sockets.listen(fd, 4);
        return fd;
    }
}
