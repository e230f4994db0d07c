package dev.sockact.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sockact.event.EventLoop;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Jobs#startRunsAtOnce} is the promise {@link ServiceRuntime#spawnAhead} spawns on: a start job asked for
 * then runs the unit's own start before {@link Jobs#start} returns. Held here to what the real {@link Jobs} does,
 * with a real {@link Manager} over real unit files (its loop is never run: every step below is synchronous, and the
 * commands are {@code /bin/true}): where it promises, the start ran; where the start would wait, skip or start
 * something else first, it does not promise.
 */
class StartRunsAtOnceTest {
    @TempDir
    Path dir;

    /** What startRunsAtOnce said for t.service, and whether its own start then ran within Jobs.start. */
    private record Answer(boolean promised, boolean ranAtOnce) {
    }

    private Answer ask(String service, String other, Consumer<Manager> before) throws Exception {
        Files.writeString(dir.resolve("t.socket"), "[Socket]\nListenStream=" + dir.resolve("t.sock") + "\n");
        Files.writeString(dir.resolve("t.service"), service);
        if (other != null) {
            Files.writeString(dir.resolve("o.service"), other);
        }
        Path runtime = Files.createDirectories(dir.resolve("run"));
        try (EventLoop loop = EventLoop.create()) {
            Manager manager = new Manager(new Manager.Config(List.of(dir), true, runtime), loop);
            assertThat(manager.load()).isEqualTo(1);
            manager.startAll();
            before.accept(manager);
            ServiceRuntime t = manager.services().get("t.service");
            assertThat(t.state()).isEqualTo(ServiceState.DEAD);
            boolean promised = manager.jobs().startRunsAtOnce(t);
            manager.jobs().start(t);
            Answer answer = new Answer(promised, t.state() != ServiceState.DEAD);
            manager.sockets().values().forEach(SocketRuntime::stop);   // its fds closed, not left to this JVM
            return answer;
        }
    }

    private static Consumer<Manager> start(String name) {
        return manager -> manager.jobs().start(manager.unitNamed(name));
    }

    @Test
    void aServiceThatNamesNoOtherUnitIsPromisedAndRunsAtOnce() throws Exception {
        assertThat(ask("[Service]\nExecStart=/bin/true\n", null, m -> { }))
                .isEqualTo(new Answer(true, true));
    }

    @Test
    void aServiceOrderedAfterOneStillStartingIsNotPromisedAndWaits() throws Exception {
        Answer answer = ask("[Unit]\nAfter=o.service\n[Service]\nExecStart=/bin/true\n",
                "[Service]\nType=notify\nExecStart=/bin/true\n", start("o.service"));
        assertThat(answer).isEqualTo(new Answer(false, false));
    }

    @Test
    void aServiceWhoseConditionFailsIsNotPromisedAndIsSkipped() throws Exception {
        Answer answer = ask("[Unit]\nConditionPathExists=" + dir.resolve("absent") + "\n[Service]\nExecStart=/bin/true\n",
                null, m -> { });
        assertThat(answer).isEqualTo(new Answer(false, false));
    }

    @Test
    void aServiceWithAStartJobAlreadyWaitingIsNotPromised() throws Exception {
        Answer answer = ask("[Unit]\nAfter=o.service\n[Service]\nExecStart=/bin/true\n",
                "[Service]\nType=notify\nExecStart=/bin/true\n", start("o.service").andThen(start("t.service")));
        assertThat(answer.promised()).isFalse();
    }

    /** Starting it would first stop the unit that conflicts with it, which names it (Conflicts= the other way). */
    @Test
    void aServiceThatAnActiveUnitConflictsWithIsNotPromised() throws Exception {
        Answer answer = ask("[Service]\nExecStart=/bin/true\n",
                "[Unit]\nConflicts=t.service\n[Service]\nType=oneshot\nRemainAfterExit=yes\nExecStart=/bin/true\n",
                start("o.service"));
        assertThat(answer.promised()).isFalse();
    }

    @Test
    void aServiceThatPullsInAnotherIsNotPromised() throws Exception {
        for (String dependency : List.of("Requires", "Wants", "BindsTo", "Requisite")) {
            Answer answer = ask("[Unit]\n" + dependency + "=o.service\n[Service]\nExecStart=/bin/true\n",
                    "[Service]\nExecStart=/bin/true\n", m -> { });
            assertThat(answer.promised()).as(dependency).isFalse();
        }
    }
}
