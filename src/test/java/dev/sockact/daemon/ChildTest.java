package dev.sockact.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sockact.posix.Signals;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A child spawned off the loop (Accept=yes) is signalled before its pid is known: the signal waits for it. */
class ChildTest {

    private static Process sleeper() throws Exception {
        return new ProcessBuilder("sleep", "60").start();
    }

    @Test
    void aSignalSentWhileTheSpawnIsInFlightIsDeliveredOnceThePidIsKnown() throws Exception {
        Process process = sleeper();
        try {
            Child child = Child.pending("sleep");
            assertThat(child.groupAlive()).as("a pending child counts as alive").isTrue();
            assertThat(child.signal(Signals.SIGTERM, false)).isTrue();
            assertThat(process.waitFor(200, TimeUnit.MILLISECONDS)).as("nothing is sent before the pid is known").isFalse();

            child.started((int) process.pid());

            assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(process.exitValue()).isEqualTo(128 + Signals.SIGTERM);
        } finally {
            process.destroyForcibly();
        }
    }

    @Test
    void aDeferredKillIsNotWeakenedByALaterSignal() throws Exception {
        assertThat(exitAfterSignalsInFlight(Signals.SIGKILL, Signals.SIGTERM)).isEqualTo(128 + Signals.SIGKILL);
    }

    @Test
    void theSigcontAfterASigtermDoesNotReplaceItWhileTheSpawnIsInFlight() throws Exception {
        // A stop while an Accept=yes instance's spawn is in flight: enterSignal() sends SIGTERM, then SIGCONT.
        assertThat(exitAfterSignalsInFlight(Signals.SIGTERM, Signals.SIGCONT)).isEqualTo(128 + Signals.SIGTERM);
    }

    /** A pending child sent {@code signals} in order, then started as a sleeper: the sleeper's exit status. */
    private static int exitAfterSignalsInFlight(int... signals) throws Exception {
        Process process = sleeper();
        try {
            Child child = Child.pending("sleep");
            for (int signal : signals) {
                child.signal(signal, false);
            }

            child.started((int) process.pid());

            assertThat(process.waitFor(10, TimeUnit.SECONDS)).as("a deferred signal was delivered").isTrue();
            return process.exitValue();
        } finally {
            process.destroyForcibly();
        }
    }

    @Test
    void aChildWhoseSpawnFailedIsNeitherPendingNorSignalled() {
        Child child = Child.pending("missing");
        child.markExited();
        assertThat(child.signal(Signals.SIGTERM, false)).isFalse();
        assertThat(child.groupAlive()).isFalse();
    }
}
