package dev.sockact.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import dev.sockact.posix.SockAddr;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The target syntax: systemd-socket-proxyd's, plus bracketed IPv6. */
class TargetTest {
    @ParameterizedTest(name = "{0} -> host {1}, service {2}")
    @CsvSource(delimiter = '|', textBlock = """
            127.0.0.1:8080      | 127.0.0.1   | 8080
            localhost:19042     | localhost   | 19042
            example.com         | example.com | 80
            localhost           | localhost   | 80
            127.0.0.1:http-alt  | 127.0.0.1   | http-alt
            [::1]:19041         | ::1         | 19041
            [::1]               | ::1         | 80
            [fe80::1%lo]:22     | fe80::1%lo  | 22
            ::1:19041           | ::1         | 19041
            2001:db8::5:443     | 2001:db8::5 | 443
            """)
    void hostAndPort(String text, String host, String service) {
        assertThat(Target.parse(text)).isEqualTo(new Target.HostPort(host, service));
    }

    @Test
    void unixPath() {
        assertThat(Target.parse("/run/app.sock")).isEqualTo(new Target.Unix(new SockAddr.UnixPath("/run/app.sock")));
    }

    @Test
    void abstractName() {
        assertThat(Target.parse("@app")).isEqualTo(new Target.Unix(new SockAddr.UnixAbstract("app")));
    }

    @Test
    void longestPathThatFits() {
        String path = "/" + "p".repeat(106); // 107 bytes + NUL = sun_path
        assertThat(Target.parse(path)).isInstanceOf(Target.Unix.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"[::1", "[::1]80", "[::1]:", ":80", "host:", "@", "/"})
    void invalid(String text) {
        assertThatIllegalArgumentException().isThrownBy(() -> Target.parse(text));
    }

    @Test
    void pathTooLongForSunPath() {
        assertThatIllegalArgumentException().isThrownBy(() -> Target.parse("/" + "p".repeat(107)))
                .withMessage("Specified address doesn't fit in an AF_UNIX address, refusing.");
        assertThatIllegalArgumentException().isThrownBy(() -> Target.parse("@" + "a".repeat(108)));
    }

    @Test
    void bracketsComeBackInToString() {
        assertThat(Target.parse("[::1]:80")).hasToString("[::1]:80");
        assertThat(Target.parse("::1:80")).hasToString("[::1]:80");
        assertThat(Target.parse("localhost")).hasToString("localhost:80");
    }
}
