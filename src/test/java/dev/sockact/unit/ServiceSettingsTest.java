package dev.sockact.unit;

import org.junit.jupiter.api.Test;

import java.util.EnumSet;

import static org.assertj.core.api.Assertions.assertThat;

/** What each [Service] word means, as the daemon asks it: the predicates on the types. */
class ServiceSettingsTest {

    @Test
    void serviceTypes() {
        assertThat(EnumSet.allOf(ServiceType.class)).filteredOn(ServiceType::startedOnceSpawned)
                .containsExactlyInAnyOrder(ServiceType.SIMPLE, ServiceType.EXEC, ServiceType.DBUS, ServiceType.IDLE);
        assertThat(EnumSet.allOf(ServiceType.class)).filteredOn(ServiceType::isDaemon)
                .doesNotContain(ServiceType.ONESHOT).hasSize(6);
        assertThat(ServiceType.NOTIFY.isNotify()).isTrue();
        assertThat(ServiceType.SIMPLE.isNotify()).isFalse();
        assertThat(ServiceType.ONESHOT.isOneshot()).isTrue();
        assertThat(ServiceType.FORKING.isForking()).isTrue();
        assertThat(ServiceType.EXEC.isForking()).isFalse();
    }

    /** systemd.service(5), "Exit causes and the effect of the Restart= settings", row by row. */
    @Test
    void restartPoliciesFollowTheTable() {
        expectRestart(RestartPolicy.Cause.CLEAN, RestartPolicy.ALWAYS, RestartPolicy.ON_SUCCESS);
        expectRestart(RestartPolicy.Cause.UNCLEAN_EXIT_CODE, RestartPolicy.ALWAYS, RestartPolicy.ON_FAILURE);
        expectRestart(RestartPolicy.Cause.UNCLEAN_SIGNAL, RestartPolicy.ALWAYS, RestartPolicy.ON_FAILURE,
                RestartPolicy.ON_ABNORMAL, RestartPolicy.ON_ABORT);
        expectRestart(RestartPolicy.Cause.TIMEOUT, RestartPolicy.ALWAYS, RestartPolicy.ON_FAILURE,
                RestartPolicy.ON_ABNORMAL);
        expectRestart(RestartPolicy.Cause.WATCHDOG, RestartPolicy.ALWAYS, RestartPolicy.ON_FAILURE,
                RestartPolicy.ON_ABNORMAL, RestartPolicy.ON_WATCHDOG);
        expectRestart(RestartPolicy.Cause.OTHER_FAILURE, RestartPolicy.ALWAYS, RestartPolicy.ON_FAILURE);
        assertThat(EnumSet.allOf(RestartPolicy.class)).filteredOn(RestartPolicy::restartsAfterSuccess)
                .containsExactlyInAnyOrder(RestartPolicy.ALWAYS, RestartPolicy.ON_SUCCESS);
    }

    private static void expectRestart(RestartPolicy.Cause cause, RestartPolicy... restarting) {
        assertThat(EnumSet.allOf(RestartPolicy.class)).as("restarting after %s", cause)
                .filteredOn(policy -> policy.restartsAfter(cause)).containsExactlyInAnyOrder(restarting);
    }

    @Test
    void killModes() {
        assertThat(KillMode.CONTROL_GROUP.signalsGroups(false)).isTrue();
        assertThat(KillMode.MIXED.signalsGroups(false)).isFalse();
        assertThat(KillMode.MIXED.signalsGroups(true)).isTrue();
        assertThat(KillMode.PROCESS.signalsGroups(true)).isFalse();
        assertThat(KillMode.NONE.signalsMainProcess()).isFalse();
        assertThat(KillMode.PROCESS.signalsMainProcess()).isTrue();
        assertThat(EnumSet.allOf(KillMode.class)).filteredOn(KillMode::waitsForGroups)
                .containsExactlyInAnyOrder(KillMode.CONTROL_GROUP, KillMode.MIXED);
    }

    @Test
    void notifyAccessAndStandardStreams() {
        assertThat(EnumSet.allOf(NotifyAccess.class)).filteredOn(NotifyAccess::acceptsMessages)
                .containsExactlyInAnyOrder(NotifyAccess.MAIN, NotifyAccess.EXEC, NotifyAccess.ALL);
        assertThat(StandardInput.Source.SOCKET.isSocket()).isTrue();
        assertThat(new StandardInput.File("/dev/null").isSocket()).isFalse();
        assertThat(EnumSet.allOf(StandardOutput.Sink.class)).filteredOn(StandardOutput.Sink::isLog)
                .containsExactlyInAnyOrder(StandardOutput.Sink.JOURNAL, StandardOutput.Sink.JOURNAL_AND_CONSOLE,
                        StandardOutput.Sink.KMSG, StandardOutput.Sink.KMSG_AND_CONSOLE, StandardOutput.Sink.SYSLOG,
                        StandardOutput.Sink.SYSLOG_AND_CONSOLE);
    }
}
