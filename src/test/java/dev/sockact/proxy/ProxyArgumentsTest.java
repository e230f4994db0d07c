package dev.sockact.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sockact.posix.SockAddr;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The options of issue 17 read into types, and the NAME=TARGET operand rule. */
class ProxyArgumentsTest {
    private static ProxyArguments parse(String... args) throws Exception {
        return ProxyArguments.from(ProxyArguments.OPTIONS.parse(args));
    }

    @Test
    void proxyProtocolAndConnectionIdleTime() throws Exception {
        ProxyArguments a = parse("--proxy-protocol=v2", "--connection-idle-time=1min", "127.0.0.1:80");
        assertThat(a.config().proxyProtocol()).isEqualTo(ProxyHeader.Version.V2);
        assertThat(a.config().connectionIdleNanos()).isEqualTo(60_000_000_000L);
        ProxyArguments plain = parse("127.0.0.1:80");
        assertThat(plain.config().proxyProtocol()).isNull();
        assertThat(plain.config().connectionIdleNanos()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void busyPollDefaultsTo50MicrosecondsAndZeroTurnsItOff() throws Exception {
        assertThat(parse("127.0.0.1:80").config().busyPollNanos()).isEqualTo(50_000L);
        assertThat(parse("--busy-poll=200us", "127.0.0.1:80").config().busyPollNanos()).isEqualTo(200_000L);
        assertThat(parse("--busy-poll=0", "127.0.0.1:80").config().busyPollNanos()).isZero();
        assertThat(parse("--busy-poll=1ms", "127.0.0.1:80").config().busyPollNanos()).isEqualTo(1_000_000L);
    }

    @Test
    void badValuesNameTheOption() {
        assertThatThrownBy(() -> parse("--busy-poll=2ms", "x:1"))
                .hasMessage("Failed to parse --busy-poll= argument: 2ms (at most 1ms; 0 for none)");
        assertThatThrownBy(() -> parse("--busy-poll=infinity", "x:1"))
                .hasMessage("Failed to parse --busy-poll= argument: infinity (at most 1ms; 0 for none)");
        assertThatThrownBy(() -> parse("--busy-poll=fast", "x:1"))
                .hasMessage("Failed to parse --busy-poll= argument: fast");
        assertThatThrownBy(() -> parse("--proxy-protocol=v3", "x:1"))
                .hasMessage("Failed to parse --proxy-protocol= argument: v3 (v1 or v2)");
        assertThatThrownBy(() -> parse("--connection-idle-time=0", "x:1"))
                .hasMessage("Failed to parse --connection-idle-time= argument: 0 (must be more than 0; infinity for none)");
        assertThatThrownBy(() -> parse("--connection-idle-time=soon", "x:1"))
                .hasMessage("Failed to parse --connection-idle-time= argument: soon");
    }

    @Test
    void namedTargets() throws Exception {
        ProxyArguments a = parse("web=127.0.0.1:8080", "admin=/run/admin=1.sock", "vm=vsock:3:22");
        assertThat(a.target()).isNull();
        assertThat(a.namedTargets()).containsOnlyKeys("web", "admin", "vm");
        assertThat(a.namedTargets().get("admin")).isEqualTo(new Target.Unix(new SockAddr.UnixPath("/run/admin=1.sock")));
        assertThat(a.namedTargets().get("vm")).isEqualTo(new Target.Vsock(new SockAddr.Vsock(3, 22)));
        assertThatThrownBy(() -> parse("web=127.0.0.1:1", "web=127.0.0.1:2"))
                .hasMessage("Socket name web is given a target twice.");
    }

    @ParameterizedTest(name = "{0} -> name {1}")
    @CsvSource(nullValues = "-", delimiter = '|', textBlock = """
            web=127.0.0.1:80       | web
            my.sock-1_x=[::1]:80   | my.sock-1_x
            127.0.0.1:80           | -
            /run/a=b.sock          | -
            @abstract=x            | -
            =127.0.0.1:80          | -
            a:b=127.0.0.1:80       | -
            """)
    void socketName(String operand, String name) {
        assertThat(ProxyArguments.socketName(operand)).isEqualTo(name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"vsock:1", "vsock:x:1", "vsock:1:2:3"})
    void badVsockTargets(String text) {
        assertThatThrownBy(() -> parse(text)).hasMessageStartingWith("Invalid vsock target");
    }
}
