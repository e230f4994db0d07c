package dev.sockact.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sockact.unit.UnitInfo;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The shutdown's phases: services first, sockets once the services are down, the end once the sockets are. */
class ShutdownTest {
    /** A unit that stops when told to, at once or when the test says. */
    private static final class Unit implements ManagedUnit {
        private final String name;
        private final boolean stopsAtOnce;
        private final List<String> log;
        private ActiveState state = ActiveState.ACTIVE;

        Unit(String name, boolean stopsAtOnce, List<String> log) {
            this.name = name;
            this.stopsAtOnce = stopsAtOnce;
            this.log = log;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public UnitInfo info() {
            throw new UnsupportedOperationException();
        }

        @Override
        public ActiveState activeState() {
            return state;
        }

        @Override
        public StartChecks startChecks() {
            return new StartChecks();
        }

        @Override
        public void resetFailed() {
        }

        @Override
        public void start() {
            state = ActiveState.ACTIVE;
        }

        @Override
        public void stop() {
            log.add("stop " + name);
            state = stopsAtOnce ? ActiveState.INACTIVE : ActiveState.DEACTIVATING;
        }
    }

    private final List<String> log = new ArrayList<>();

    @Test
    void servicesStopFirstThenSocketsThenTheLoopEnds() {
        Unit service = new Unit("a.service", false, log);
        Unit socket = new Unit("a.socket", false, log);
        Shutdown shutdown = new Shutdown(() -> List.of(service), () -> List.of(socket), () -> log.add("finished"));
        assertThat(shutdown.phase()).isEqualTo(Shutdown.Phase.NOT_REQUESTED);
        assertThat(shutdown.requested()).isFalse();

        assertThat(shutdown.begin()).isTrue();
        shutdown.advance();
        assertThat(shutdown.phase()).isEqualTo(Shutdown.Phase.STOPPING_SERVICES);
        assertThat(log).containsExactly("stop a.service");

        service.state = ActiveState.FAILED;   // failed counts as down
        shutdown.advance();
        assertThat(shutdown.phase()).isEqualTo(Shutdown.Phase.STOPPING_SOCKETS);
        assertThat(log).containsExactly("stop a.service", "stop a.socket");

        socket.state = ActiveState.INACTIVE;
        shutdown.advance();
        assertThat(shutdown.phase()).isEqualTo(Shutdown.Phase.DONE);
        shutdown.advance();
        assertThat(log).containsExactly("stop a.service", "stop a.socket", "finished");
    }

    @Test
    void unitsThatStopAtOnceEndItInOneStep() {
        Unit service = new Unit("a.service", true, log);
        Unit socket = new Unit("a.socket", true, log);
        Shutdown shutdown = new Shutdown(() -> List.of(service), () -> List.of(socket), () -> log.add("finished"));
        shutdown.begin();
        shutdown.advance();
        assertThat(shutdown.phase()).isEqualTo(Shutdown.Phase.DONE);
        assertThat(log).containsExactly("stop a.service", "stop a.socket", "finished");
    }

    @Test
    void aSecondRequestDoesNothing() {
        Unit service = new Unit("a.service", false, log);
        Shutdown shutdown = new Shutdown(() -> List.of(service), List::of, () -> log.add("finished"));
        shutdown.begin();
        assertThat(shutdown.begin()).isFalse();
        assertThat(log).containsExactly("stop a.service");
    }

    @Test
    void nothingHappensBeforeItIsRequested() {
        Unit service = new Unit("a.service", true, log);
        Shutdown shutdown = new Shutdown(() -> List.of(service), List::of, () -> log.add("finished"));
        shutdown.advance();
        assertThat(shutdown.phase()).isEqualTo(Shutdown.Phase.NOT_REQUESTED);
        assertThat(log).isEmpty();
    }
}
