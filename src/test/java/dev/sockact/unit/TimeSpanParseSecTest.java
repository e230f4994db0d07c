package dev.sockact.unit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** systemd.time(7) spans as parse_sec() reads them (--exit-idle-time=, --connect-timeout=). */
class TimeSpanParseSecTest {
    /** --exit-idle-time= and --connect-timeout= are read this way (systemd's parse_sec). */
    private static long parseNanos(String text) {
        return TimeSpan.parseSec(text).toNanos();
    }

    private static final long MS = 1_000_000L;
    private static final long S = 1_000 * MS;

    @ParameterizedTest(name = "\"{0}\" = {1} ms")
    @CsvSource(delimiter = '|', textBlock = """
            5min 20s      | 320000
            1.5h          | 5400000
            2 h           | 7200000
            100ms         | 100
            0             | 0
            30            | 30000
            1.5           | 1500
            1s 500ms      | 1500
            1h30min       | 5400000
            2d            | 172800000
            1w            | 604800000
            3 seconds     | 3000
            10sec         | 10000
            250msec       | 250
            1m            | 60000
            ' 7s '        | 7000
            """)
    void parsesSystemdSpans(String text, long millis) {
        assertThat(parseNanos(text)).isEqualTo(millis * MS);
    }

    @ParameterizedTest
    @CsvSource({"1us, 1000", "1µs, 1000", "1μs, 1000", "1M, 2629800000000000", "1y, 31557600000000000"})
    void smallAndLargeUnits(String text, long nanos) {
        assertThat(parseNanos(text)).isEqualTo(nanos);
    }

    @ParameterizedTest
    @ValueSource(strings = {"infinity", " infinity "})
    void infinity(String text) {
        assertThat(parseNanos(text)).isEqualTo(Long.MAX_VALUE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"bogus", "-1", "5 parsecs", "", " ", "s", "5s bogus", "1..5s", "1.", "infinity 5s", "99999999999y", "5ns"})
    void refusesWhatParseSecRefuses(String text) {
        assertThatIllegalArgumentException().isThrownBy(() -> parseNanos(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"1s", "1 s", "1000ms", "1000000us"})
    void oneSecondWrittenManyWays(String text) {
        assertThat(parseNanos(text)).isEqualTo(S);
    }
}
