package dev.sockact.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sockact.posix.Epoll;
import dev.sockact.unit.HostInfo;
import dev.sockact.unit.ManagerScope;
import dev.sockact.unit.load.UnitLoader;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link ServiceRuntime#spawnAhead}: a socket's trigger spawns a plain service's main process before the start job
 * and the state changes, and the start takes that process as its main one. A service that is not plain, or a
 * start the start limit would refuse, is spawned by its start as before. Through a {@link FakeUnitContext}, whose
 * side effects are recorded in order.
 */
class SpawnAheadTest {
    @TempDir
    Path dir;

    private record Units(FakeUnitContext context, SocketRuntime socket, ServiceRuntime service) {
        /** A client connects: the effects of the wake-up. */
        List<String> trigger() throws Exception {
            context.takeEffects();
            assertThat(context.ready(Epoll.EPOLLIN)).as("the socket is watched").isTrue();
            return context.takeEffects();
        }

        FakeUnitContext.Process onlyProcess() {
            assertThat(context.running()).hasSize(1);
            return context.running().getFirst();
        }
    }

    private Units listening(FakeUnitContext context, String service) throws Exception {
        Files.writeString(dir.resolve("t.socket"), "[Socket]\nListenStream=" + dir.resolve("t.sock") + "\n");
        Files.writeString(dir.resolve("t.service"), service);
        UnitLoader.ActivationUnits units = new UnitLoader(List.of(dir), HostInfo.current(ManagerScope.USER))
                .loadActivation("t.socket");
        assertThat(units.startable()).as(units.service().diagnostics().toString()).isTrue();
        ServiceRuntime runtime = new ServiceRuntime(context, units.service().unit());
        SocketRuntime socket = new SocketRuntime(context, units.socket().unit(), runtime);
        socket.start();
        assertThat(socket.state()).isEqualTo(SocketState.LISTENING);
        return new Units(context, socket, runtime);
    }

    @Test
    void aPlainServiceIsSpawnedBeforeItsStartJobAndTheStartTakesItAsItsMainProcess() throws Exception {
        try (FakeUnitContext context = new FakeUnitContext(dir)) {
            Units units = listening(context, "[Service]\nExecStart=/x/main\n");
            assertThat(units.trigger()).containsExactly("spawn main", "job t.service", "timer 90s");
            FakeUnitContext.Process main = units.onlyProcess();
            assertThat(units.service().state()).isEqualTo(ServiceState.RUNNING);
            assertThat(units.service().mainPid()).isEqualTo(main.child().pid());
            assertThat(units.service().lastMainPid()).isEqualTo(main.child().pid());
            assertThat(units.socket().state()).isEqualTo(SocketState.RUNNING);

            context.exit(main, 0);   // the process the start took is the one whose exit ends the service
            assertThat(units.service().state()).isEqualTo(ServiceState.DEAD);
            assertThat(units.socket().state()).isEqualTo(SocketState.LISTENING);
            assertThat(units.trigger()).containsExactly("spawn main", "job t.service", "timer 90s");
            assertThat(units.service().mainPid()).isEqualTo(units.onlyProcess().child().pid());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "[Service]\nExecStartPre=/x/pre\nExecStart=/x/main\n",
            "[Service]\nExecStart=/x/main\nExecStartPost=/x/post\n",
            "[Service]\nType=notify\nExecStart=/x/main\n",
            "[Service]\nType=exec\nExecStart=/x/main\n",
            "[Service]\nType=oneshot\nExecStart=/x/main\nExecStart=/x/second\n",
            "[Unit]\nConditionPathExists=/\n[Service]\nExecStart=/x/main\n",
            "[Unit]\nWants=other.service\n[Service]\nExecStart=/x/main\n",
            "[Service]\nExecStart=/x/main\nPrivateNetwork=yes\n",
    })
    void aServiceThatIsNotPlainIsSpawnedByItsStart(String service) throws Exception {
        try (FakeUnitContext context = new FakeUnitContext(dir)) {
            Units units = listening(context, service);
            assertThat(units.trigger()).first().isEqualTo("job t.service");
        }
    }

    @Test
    void aStartTheStartLimitRefusesSpawnsNothing() throws Exception {
        try (FakeUnitContext context = new FakeUnitContext(dir)) {
            Units units = listening(context, "[Unit]\nStartLimitIntervalSec=1h\nStartLimitBurst=1\n\n"
                    + "[Service]\nExecStart=/x/main\n");
            assertThat(units.trigger()).first().isEqualTo("spawn main");
            context.exit(units.onlyProcess(), 0);
            assertThat(units.trigger()).containsExactly("job t.service");
            assertThat(units.service().result()).isEqualTo(ServiceResult.START_LIMIT_HIT);
            assertThat(context.running()).isEmpty();
        }
    }

    /**
     * A system service's context is made once and kept while its definition and the manager environment stay
     * (ServiceRuntime.reusable): a reload or a new manager environment makes a new one.
     */
    @Test
    void theContextKeptForTheNextSpawnFollowsAReloadAndTheManagerEnvironment() throws Exception {
        try (FakeUnitContext context = new FakeUnitContext(dir)) {
            context.systemManager();
            Units units = listening(context, "[Service]\nExecStart=/x/main\nEnvironment=WORD=first\n");
            units.trigger();
            ExecSpawner.Context first = context.lastContext();
            assertThat(first.environment()).containsEntry("WORD", "first").doesNotContainKey("NEW");
            context.exit(units.onlyProcess(), 0);
            units.trigger();
            assertThat(context.lastContext()).isSameAs(first);
            context.exit(units.onlyProcess(), 0);

            context.managerEnvironment(java.util.Map.of("PATH", "/usr/bin:/bin", "NEW", "1"));
            units.trigger();
            assertThat(context.lastContext().environment()).containsEntry("NEW", "1").containsEntry("WORD", "first");
            context.exit(units.onlyProcess(), 0);

            Files.writeString(dir.resolve("t.service"), "[Service]\nExecStart=/x/main\nEnvironment=WORD=second\n");
            units.service().reloaded(new UnitLoader(List.of(dir), HostInfo.current(ManagerScope.USER))
                    .loadActivation("t.socket").service().unit());
            units.trigger();
            assertThat(context.lastContext().environment()).containsEntry("WORD", "second");
        }
    }

    @Test
    void aProcessSpawnedAheadThatTheStartDidNotTakeIsKilled() throws Exception {
        try (FakeUnitContext context = new FakeUnitContext(dir)) {
            Units units = listening(context, "[Service]\nExecStart=/x/main\n");
            context.holdJobs();
            assertThat(units.trigger()).containsExactly("spawn main", "job t.service (held)", "killpg KILL main");
        }
    }
}
