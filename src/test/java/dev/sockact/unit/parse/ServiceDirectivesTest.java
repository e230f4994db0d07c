package dev.sockact.unit.parse;

import dev.sockact.unit.ExitStatusSet;
import dev.sockact.unit.KillMode;
import dev.sockact.unit.KillSignal;
import dev.sockact.unit.NotifyAccess;
import dev.sockact.unit.RestartPolicy;
import dev.sockact.unit.ServiceType;
import dev.sockact.unit.ServiceUnit;
import dev.sockact.unit.StandardInput;
import dev.sockact.unit.StandardOutput;
import dev.sockact.unit.SyslogLevel;
import dev.sockact.unit.UnitName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The [Service] words parsed once into types: every word, the defaults, and the diagnostics for bad words. */
class ServiceDirectivesTest {

    private static ServiceUnit parse(String key, String value) throws InvalidValueException {
        ServiceUnit.Builder builder = new ServiceUnit.Builder(UnitName.of("foo.service"));
        ServiceDirectives.SERVICE.get(key).handler().apply(builder, value,
                TestContexts.context("foo.service", key));
        return builder.build();
    }

    private static <T> void everyWordRoundTrips(String key, T[] values, Function<T, String> text,
                                                Function<ServiceUnit, ?> field) throws InvalidValueException {
        for (T value : values) {
            assertThat(field.apply(parse(key, text.apply(value)))).as(key + "=" + text.apply(value)).isEqualTo(value);
        }
    }

    private static void rejected(String key, String value, String message) {
        assertThatThrownBy(() -> parse(key, value)).isInstanceOf(InvalidValueException.class).hasMessage(message)
                .matches(e -> !((InvalidValueException) e).isFatal());
    }

    @Test
    void everyOneWordSettingParsesToItsConstant() throws InvalidValueException {
        everyWordRoundTrips("Type", ServiceType.values(), ServiceType::text, ServiceUnit::type);
        everyWordRoundTrips("Restart", RestartPolicy.values(), RestartPolicy::text, ServiceUnit::restart);
        everyWordRoundTrips("KillMode", KillMode.values(), KillMode::text, ServiceUnit::killMode);
        everyWordRoundTrips("NotifyAccess", NotifyAccess.values(), NotifyAccess::text, ServiceUnit::notifyAccess);
        everyWordRoundTrips("StandardInput", StandardInput.Source.values(), StandardInput.Source::text,
                ServiceUnit::standardInput);
        everyWordRoundTrips("StandardOutput", StandardOutput.Sink.values(), StandardOutput.Sink::text,
                ServiceUnit::standardOutput);
        everyWordRoundTrips("StandardError", StandardOutput.Sink.values(), StandardOutput.Sink::text,
                ServiceUnit::standardError);
        assertThat(ServiceType.NOTIFY.text()).isEqualTo("notify");
        assertThat(RestartPolicy.ON_ABNORMAL.text()).isEqualTo("on-abnormal");
        assertThat(KillMode.CONTROL_GROUP.text()).isEqualTo("control-group");
        assertThat(StandardOutput.Sink.JOURNAL_AND_CONSOLE.text()).isEqualTo("journal+console");
        assertThat(StandardInput.Source.TTY_FORCE.text()).isEqualTo("tty-force");
    }

    @Test
    void standardStreamsWithDataKeepTheirPathOrNameAndTheirWord() throws InvalidValueException {
        ServiceUnit in = parse("StandardInput", "file:/etc/motd");
        assertThat(in.standardInput()).isEqualTo(new StandardInput.File("/etc/motd"));
        assertThat(in.standardInput().text()).isEqualTo("file:/etc/motd");
        assertThat(parse("StandardInput", "fd:stored").standardInput()).isEqualTo(new StandardInput.Fd("stored"));
        assertThat(parse("StandardOutput", "file:/var/log/a").standardOutput())
                .isEqualTo(new StandardOutput.File(StandardOutput.FileMode.WRITE, "/var/log/a"));
        assertThat(parse("StandardOutput", "append:/var/log/a").standardOutput())
                .isEqualTo(new StandardOutput.File(StandardOutput.FileMode.APPEND, "/var/log/a"));
        ServiceUnit truncate = parse("StandardError", "truncate:/var/log/%n.err");
        assertThat(truncate.standardError())
                .isEqualTo(new StandardOutput.File(StandardOutput.FileMode.TRUNCATE, "/var/log/foo.service.err"));
        assertThat(truncate.standardError().text()).isEqualTo("truncate:/var/log/foo.service.err");
        assertThat(parse("StandardOutput", "fd:out").standardOutput().text()).isEqualTo("fd:out");
    }

    @Test
    void badWordsAreIgnoredWithSystemdsMessages() {
        rejected("Type", "notify-reload", "Failed to parse service type, ignoring: notify-reload");
        rejected("Restart", "sometimes", "Failed to parse service restart specifier, ignoring: sometimes");
        rejected("KillMode", "cgroup", "Failed to parse kill mode specification, ignoring: cgroup");
        rejected("NotifyAccess", "some", "Failed to parse notify access specifier, ignoring: some");
        rejected("StandardInput", "journal", "Failed to parse input specifier, ignoring: journal");
        rejected("StandardInput", "append:/x", "Failed to parse input specifier, ignoring: append:/x");
        rejected("StandardInput", "file:relative", "Failed to parse input specifier, ignoring: file:relative");
        rejected("StandardOutput", "data", "Failed to parse output specifier, ignoring: data");
        rejected("StandardError", "append:x", "Failed to parse output specifier, ignoring: append:x");
        rejected("KillSignal", "SIGNOPE", "Failed to parse signal name, ignoring: SIGNOPE");
        rejected("KillSignal", "65", "Failed to parse signal name, ignoring: 65");
        rejected("SuccessExitStatus", "75 NOPE", "Failed to parse signal name, ignoring: NOPE");
        rejected("SuccessExitStatus", "256", "Value 256 is outside range 0-255, ignoring");
    }

    @Test
    void defaultsAreSystemds() throws InvalidValueException {
        ServiceUnit.Builder builder = new ServiceUnit.Builder(UnitName.of("foo.service"));
        ServiceUnit none = builder.build();
        assertThat(none.type()).isEqualTo(ServiceType.ONESHOT);
        assertThat(none.restart()).isEqualTo(RestartPolicy.NO);
        assertThat(none.killMode()).isEqualTo(KillMode.CONTROL_GROUP);
        assertThat(none.killSignal()).isEqualTo(KillSignal.SIGTERM);
        assertThat(none.notifyAccess()).isEqualTo(NotifyAccess.NONE);
        assertThat(none.standardInput()).isEqualTo(StandardInput.Source.NULL);
        assertThat(none.standardOutput()).isEqualTo(StandardOutput.Sink.JOURNAL);
        assertThat(none.standardError()).isEqualTo(StandardOutput.Sink.INHERIT);
        assertThat(parse("StandardInput", "socket").standardOutput()).isEqualTo(StandardOutput.Sink.INHERIT);
        assertThat(none.syslogLevel()).isEqualTo(new SyslogLevel(6, true));
        assertThat(parse("SyslogLevel", "err").syslogLevel().priority()).isEqualTo(3);
        assertThat(parse("SyslogLevel", "7").syslogLevel().priority()).isEqualTo(7);
        assertThatThrownBy(() -> parse("SyslogLevel", "loud")).isInstanceOf(InvalidValueException.class)
                .hasMessage("Failed to parse log level, ignoring: loud");
        assertThat(parse("SyslogLevelPrefix", "no").syslogLevel().prefix()).isFalse();
        assertThat(none.successExitStatus()).isEqualTo(ExitStatusSet.EMPTY);
        assertThat(parse("ExecStart", "/bin/true").type()).isEqualTo(ServiceType.SIMPLE);
        assertThat(parse("Type", "notify").notifyAccess()).isEqualTo(NotifyAccess.MAIN);
        assertThat(parse("WatchdogSec", "5s").notifyAccess()).isEqualTo(NotifyAccess.MAIN);
    }

    @Test
    void killSignalKeepsItsWordAndKnowsItsNumber() throws InvalidValueException {
        assertThat(parse("KillSignal", "TERM").killSignal()).isEqualTo(new KillSignal(15, "SIGTERM"));
        assertThat(parse("KillSignal", "SIGUSR1").killSignal()).isEqualTo(new KillSignal(10, "SIGUSR1"));
        assertThat(parse("KillSignal", "SIGRTMIN+3").killSignal()).isEqualTo(new KillSignal(37, "SIGRTMIN+3"));
        assertThat(parse("KillSignal", "POLL").killSignal()).isEqualTo(new KillSignal(29, "SIGPOLL"));
        assertThat(parse("KillSignal", "10").killSignal()).isEqualTo(new KillSignal(10, "10"));
    }

    @Test
    void exitStatusSetsTakeCodesEveryNameAndSignals() throws InvalidValueException {
        ExitStatusSet set = parse("SuccessExitStatus", "0 255 TEMPFAIL EXCEPTION NOTRUNNING BPF SIGHUP KILL")
                .successExitStatus();
        assertThat(set.codes()).containsExactlyInAnyOrder(0, 255, 75, 7, 245);
        assertThat(set.signals()).containsExactlyInAnyOrder(1, 9);
        assertThat(set.containsCode(75)).isTrue();
        assertThat(set.containsCode(9)).isFalse();
        assertThat(set.containsSignal(9)).isTrue();
        assertThat(parse("RestartPreventExitStatus", "APPARMOR CREDENTIALS").restartPreventExitStatus().codes())
                .containsExactlyInAnyOrder(231, 243);
        assertThat(ExitStatusSet.of(List.of()).codes()).isEmpty();
    }
}
