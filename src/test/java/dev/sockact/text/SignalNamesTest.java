package dev.sockact.text;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The one signal table: names to numbers as systemd's signal_from_string() reads them, and back. */
class SignalNamesTest {
    @Test
    void classicNamesWithOrWithoutSigAndPollAsIo() {
        assertThat(SignalNames.number("TERM")).isEqualTo(15);
        assertThat(SignalNames.number("SIGKILL")).isEqualTo(9);
        assertThat(SignalNames.number("SIGPOLL")).isEqualTo(29);
        assertThat(SignalNames.name(29)).isEqualTo("IO");
        assertThat(SignalNames.name(15)).isEqualTo("TERM");
    }

    @Test
    void realTimeSignalsWithinRange() {
        assertThat(SignalNames.number("SIGRTMIN")).isEqualTo(34);
        assertThat(SignalNames.number("RTMIN+3")).isEqualTo(37);
        assertThat(SignalNames.number("RTMAX")).isEqualTo(64);
        assertThat(SignalNames.number("RTMAX-1")).isEqualTo(63);
        assertThat(SignalNames.name(37)).isEqualTo("RTMIN+3");
        assertThat(SignalNames.number("RTMIN+31")).isZero();
        assertThat(SignalNames.number("RTMIN+")).isZero();
        assertThat(SignalNames.number("RTMAX+1")).isZero();
    }

    @Test
    void unknownNamesAreZero() {
        assertThat(SignalNames.number("NOPE")).isZero();
        assertThat(SignalNames.number("")).isZero();
        assertThat(SignalNames.number("15")).isZero();
    }
}
