package dev.sockact.unit.parse;

import dev.sockact.unit.TimeSpan;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Table-driven cases for the generic parsers, many from systemd's test-parse-util.c and test-conf-parser.c. */
class ValuesTest {

    private static <T> T parse(ValueParser<T> parser, String value) throws InvalidValueException {
        return parser.parse(value, TestContexts.context("Key"));
    }

    @ParameterizedTest
    @CsvSource({"1,true", "yes,true", "y,true", "TRUE,true", "t,true", "on,true", "0,false", "no,false", "n,false",
        "false,false", "F,false", "off,false"})
    void booleans(String text, boolean expected) throws Exception {
        assertThat(parse(Values.bool(), text)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "perhaps", "2", "yess", "o"})
    void badBooleansWarnWithSystemdWording(String text) {
        assertThatThrownBy(() -> parse(Values.bool(), text))
                .hasMessage("Failed to parse boolean value, ignoring: " + text);
    }

    @ParameterizedTest
    @CsvSource({"1000,1000", "0,0", "-0,0", "0x10,16", "010,8", "' 5',5", "4294967295,4294967295", "+7,7"})
    void unsignedUseBaseDetection(String text, long expected) throws Exception {
        assertThat(parse(Values.unsigned(), text)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "-1", "1000garbage", "4294967296", "0x", "08", "1 2"})
    void badUnsigned(String text) {
        assertThatThrownBy(() -> parse(Values.unsigned(), text))
                .hasMessage("Failed to parse unsigned value, ignoring: " + text);
    }

    @ParameterizedTest
    @CsvSource({"-1,-1", "2147483647,2147483647", "-2147483648,-2147483648", "0x7f,127"})
    void ints(String text, int expected) throws Exception {
        assertThat(parse(Values.integer(), text)).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({"0666,438", "777,511", "0,0", "07777,4095"})
    void modesAreOctal(String text, int expected) throws Exception {
        assertThat(parse(Values.mode(), text)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"999", "777 garbage", "-0644", "+0644", "010000", "", "0x1ff"})
    void badModes(String text) {
        assertThatThrownBy(() -> parse(Values.mode(), text))
                .hasMessage("Failed to parse mode value, ignoring: " + text);
    }

    @ParameterizedTest
    @CsvSource({"2K,2048", "2M,2097152", "1G,1073741824", "1.5K,1536", "0,0", "1024,1024", "1B,1",
        "'1M 512K',1572864", "3.5 G,3758096384"})
    void iecSizes(String text, long expected) throws Exception {
        assertThat(parse(Values.iecSize(), text)).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({"-1,Numerical result out of range", "2Q,Invalid argument", "garbage,Invalid argument",
        "'1K 1M',Invalid argument"})
    void badSizes(String text, String reason) {
        assertThatThrownBy(() -> parse(Values.iecSize(), text))
                .hasMessage("Failed to parse size value '" + text + "', ignoring: " + reason);
    }

    @ParameterizedTest
    @CsvSource({
        "'5min 20s',320000000", "1,1000000", "0.5,500000", "2.5s,2500000", "'3.1 sec 1.2 sec',4300000",
        "1m,60000000", "1M,2629800000000", "1h,3600000000", "1d,86400000000", "1w,604800000000",
        "1y,31557600000000", "100ms,100000", "10us,10", "1 min,60000000", "'12.34 .56',12900000",
        "'12.34s.56',12900000", "2hours 3minutes,7380000000"})
    void timeSpans(String text, long micros) {
        assertThat(TimeSpan.parseSec(text).micros()).isEqualTo(micros);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "-5s", "3.s", "12.34.56", "10foo", "-0", "3. 1", ".s", "infinityx"})
    void badTimeSpans(String text) {
        assertThatThrownBy(() -> parse(Values.sec(), text))
                .hasMessage("Failed to parse sec value, ignoring: " + text);
    }

    @ParameterizedTest
    @CsvSource({"320000000,5min 20s", "0,0", "1000000,1s", "1500000,1.500000s", "90000000,1min 30s",
        "3600000000,1h", "100000,100ms", "2629800000000,1month", "93600000000,1d 2h"})
    void timeSpanFormatsLikeSystemctlShow(long micros, String expected) {
        assertThat(new TimeSpan(micros).format()).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"infinity", " infinity"})
    void infinity(String text) {
        assertThat(TimeSpan.parseSec(text).isInfinite()).isTrue();
        assertThat(TimeSpan.INFINITY.format()).isEqualTo("infinity");
    }

    @ParameterizedTest
    @CsvSource({"0,infinity", "5,5s"})
    void secFix0TurnsZeroIntoInfinity(String text, String shown) throws Exception {
        assertThat(parse(Values.secFix0(), text).format()).isEqualTo(shown);
    }
}
