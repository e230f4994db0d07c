package dev.sockact.daemon;

import dev.sockact.posix.ExitStatus;
import dev.sockact.unit.ExitStatusSet;
import dev.sockact.unit.RestartPolicy;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The pure parts of sockactd: variable expansion, EnvironmentFile= syntax, the rate limit, results. */
class DaemonLogicTest {

    @Test
    void wholeWordVariablesSplitAndBracedOnesReplaceInPlace() {
        Map<String, String> env = Map.of("ARGS", " -a  -b ", "DIR", "/srv");
        assertThat(ExecSpawner.expand(List.of("/bin/x", "$ARGS", "--root=${DIR}/x", "$UNSET", "${UNSET}", "$$"), env))
                .containsExactly("/bin/x", "-a", "-b", "--root=/srv/x", "", "$$");
    }

    @Test
    void environmentFilesFollowLoadEnvFile() {
        assertThat(UnitEnvironment.parseEnvironmentFile("""
                # comment
                ; other comment
                A=1
                export B="two words \\" q"
                C='single'
                D=con\\
                tinued
                not an assignment
                """)).containsExactly(Map.entry("A", "1"), Map.entry("B", "two words \" q"), Map.entry("C", "single"),
                Map.entry("D", "continued"));
    }

    @Test
    void rateLimitAllowsBurstPerIntervalAndZeroDisablesIt() {
        RateLimit limit = new RateLimit(1_000, 3);
        assertThat(limit.below(0)).isTrue();
        assertThat(limit.below(1)).isTrue();
        assertThat(limit.below(2)).isTrue();
        assertThat(limit.below(3)).isFalse();
        assertThat(limit.below(1_000)).isTrue();
        RateLimit off = new RateLimit(0, 3);
        for (int i = 0; i < 10; i++) {
            assertThat(off.below(i)).isTrue();
        }
    }

    @Test
    void allowsAnswersWhatBelowWouldWithoutCounting() {
        RateLimit limit = new RateLimit(1_000, 2);
        assertThat(limit.allows(0)).isTrue();   // no window yet
        assertThat(limit.below(0)).isTrue();
        assertThat(limit.allows(1)).isTrue();
        assertThat(limit.allows(1)).isTrue();   // asking counts nothing
        assertThat(limit.below(1)).isTrue();
        assertThat(limit.allows(2)).isFalse();
        assertThat(limit.below(2)).isFalse();
        assertThat(limit.allows(999)).isFalse();
        assertThat(limit.allows(1_000)).isTrue();   // the window has ended
        assertThat(new RateLimit(0, 1).allows(5)).isTrue();
    }

    @Test
    void anUncountedEventDoesNotMoveTheWindow() {
        RateLimit limit = new RateLimit(1_000, 3);
        assertThat(limit.below(0)).isTrue();
        assertThat(limit.below(1)).isTrue();
        assertThat(limit.below(1_500)).isTrue();   // begins a new window at 1500...
        limit.uncount();                            // ...which it takes back: the old one ended at 1000, unmoved
        assertThat(limit.below(1_600)).isTrue();    // a new window, from 1600
        assertThat(limit.below(1_700)).isTrue();
        assertThat(limit.below(1_800)).isTrue();
        limit.uncount();                            // within a window: the count only
        assertThat(limit.below(1_850)).isTrue();
        assertThat(limit.below(1_900)).isFalse();
        assertThat(limit.windowLeft(1_900)).isEqualTo(700);
    }

    /**
     * A socket's poll limit (150) and trigger limit (200), counted at the same instants: a flood, its pause, a
     * wake-up whose accept finds nothing (uncounted) and a lull, then the flood again. The poll limit is always the
     * one hit, so the flood pauses the socket and never fails it. Had the empty wake-up begun the poll limit's next
     * window, the trigger limit's would have begun 1200 later, outlasted it, and been hit at its 201st trigger.
     */
    @Test
    void pollAndTriggerLimitsCountedTogetherKeepTheirWindows() {
        RateLimit poll = new RateLimit(2_000, 150);
        RateLimit trigger = new RateLimit(2_000, 200);
        long now = 0;
        while (now < 2_000) {
            now = flood(poll, trigger, now);
        }
        assertThat(poll.below(now)).isTrue();   // the wake-up at the pause's end...
        poll.uncount();                          // ...whose accept found nothing
        now += 1_200;
        while (now < 8_000) {
            now = flood(poll, trigger, now);
        }
    }

    /** One connection of a flood at {@code now}; returns the time of the next (after a pause, its end). */
    private static long flood(RateLimit poll, RateLimit trigger, long now) {
        if (!poll.below(now)) {
            return now + poll.windowLeft(now);
        }
        assertThat(trigger.below(now)).as("trigger at %d", now).isTrue();
        return now + 1;
    }

    @Test
    void firstFailureWins() {
        assertThat(SocketResult.firstFailure(SocketResult.SUCCESS, SocketResult.TIMEOUT)).isEqualTo(SocketResult.TIMEOUT);
        assertThat(SocketResult.firstFailure(SocketResult.TRIGGER_LIMIT_HIT, SocketResult.TIMEOUT))
                .isEqualTo(SocketResult.TRIGGER_LIMIT_HIT);
        assertThat(ServiceResult.firstFailure(ServiceResult.EXIT_CODE, ServiceResult.SUCCESS))
                .isEqualTo(ServiceResult.EXIT_CODE);
        assertThat(SocketState.RUNNING.activeState()).isEqualTo(ActiveState.ACTIVE);
        assertThat(SocketState.STOP_POST.keepsFdsOpen()).isFalse();
        assertThat(ServiceState.AUTO_RESTART.releasesSocket()).isTrue();
        assertThat(SocketResult.SERVICE_START_LIMIT_HIT.text()).isEqualTo("service-start-limit-hit");
    }

    @Test
    void successExitStatusCountsListedCodesAndSignalsAsSuccess() {
        var listed = ExitStatusSet.of(List.of(new ExitStatusSet.Code(75), new ExitStatusSet.Signal(10),
                new ExitStatusSet.Signal(12)));
        assertThat(ExitStatuses.listed(ExitStatus.exited(1, 75), listed)).isTrue();
        assertThat(ExitStatuses.listed(ExitStatus.exited(1, 1), listed)).isFalse();
        assertThat(ExitStatuses.listed(ExitStatus.exited(1, 10), listed)).isFalse();
        assertThat(ExitStatuses.listed(ExitStatus.killed(1, 10, false), listed)).isTrue();
        assertThat(ExitStatuses.listed(ExitStatus.killed(1, 12, false), listed)).isTrue();
        assertThat(ExitStatuses.listed(ExitStatus.killed(1, 9, false), listed)).isFalse();
    }

    @Test
    void exitsAreDescribedAsSystemdLogsThem() {
        assertThat(ExitStatuses.describe(ExitStatus.exited(1, 255))).isEqualTo("code=exited, status=255/EXCEPTION");
        assertThat(ExitStatuses.describe(ExitStatus.exited(1, 75))).isEqualTo("code=exited, status=75/TEMPFAIL");
        assertThat(ExitStatuses.describe(ExitStatus.exited(1, 243))).isEqualTo("code=exited, status=243/CREDENTIALS");
        assertThat(ExitStatuses.describe(ExitStatus.exited(1, 42))).isEqualTo("code=exited, status=42");
        assertThat(ExitStatuses.describe(ExitStatus.killed(1, 15, false))).isEqualTo("code=killed, status=15/TERM");
        assertThat(ExitStatuses.describe(ExitStatus.killed(1, 11, true))).isEqualTo("code=dumped, status=11/SEGV");
        assertThat(ExitStatuses.EXIT_EXEC).isEqualTo(203);
    }

    @Test
    void restartFollowsTheTableOfExitCauses() {
        assertThat(ServiceResult.SUCCESS.restartCause()).isEqualTo(RestartPolicy.Cause.CLEAN);
        assertThat(ServiceResult.CORE_DUMP.restartCause()).isEqualTo(RestartPolicy.Cause.UNCLEAN_SIGNAL);
        assertThat(ServiceResult.PROTOCOL.restartCause()).isEqualTo(RestartPolicy.Cause.OTHER_FAILURE);
        assertThat(RestartPolicy.ON_FAILURE.restartsAfter(ServiceResult.RESOURCES.restartCause())).isTrue();
        assertThat(RestartPolicy.ON_ABNORMAL.restartsAfter(ServiceResult.EXIT_CODE.restartCause())).isFalse();
        assertThat(RestartPolicy.ON_ABNORMAL.restartsAfter(ServiceResult.TIMEOUT.restartCause())).isTrue();
        assertThat(RestartPolicy.ON_ABORT.restartsAfter(ServiceResult.SIGNAL.restartCause())).isTrue();
        assertThat(RestartPolicy.ON_ABORT.restartsAfter(ServiceResult.WATCHDOG.restartCause())).isFalse();
    }
}
