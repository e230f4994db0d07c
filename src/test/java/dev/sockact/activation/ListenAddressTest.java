package dev.sockact.activation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.sockact.posix.Errno;
import dev.sockact.posix.SockAddr;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The ListenStream= / {@code socket-activate -l} syntax, case by case as
 * systemd 252 parses it (reference B.2, verified on the binaries).
 */
class ListenAddressTest {
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            8080                | [::]:8080
            0x1f91              | [::]:8081
            017721              | [::]:8145
            +8083               | [::]:8083
            0b1111110110100     | [::]:8116
            0o17721             | [::]:8145
            65535               | [::]:65535
            127.0.0.1:80        | 127.0.0.1:80
            0.0.0.0:0x50        | 0.0.0.0:80
            [::1]:1234          | [::1]:1234
            [::]:81             | [::]:81
            [2001:db8:0:0:0:0:0:1]:82 | [2001:db8::1]:82
            /run/foo.sock       | /run/foo.sock
            @abstract-name      | @abstract-name
            vsock::1234         | vsock::1234
            vsock:2:1234        | vsock:2:1234
            """)
    void accepted(String text, String printed) throws InvalidAddressException {
        assertThat(ListenAddress.parse(text)).hasToString(printed);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            0                   | EINVAL
            0x0                 | EINVAL
            70000               | ERANGE
            99999999999999999999 | ERANGE
            *:81                | EINVAL
            http                | EINVAL
            localhost:86        | EINVAL
            192.168.1.1         | EINVAL
            ::1                 | EINVAL
            [::1]               | EINVAL
            [::1]%lo:1234       | EINVAL
            256.1.1.1:80        | EINVAL
            127.0.0.1:          | EINVAL
            @                   | EINVAL
            vsock:1234          | EINVAL
            [::1]:0             | EINVAL
            [::1]:65536         | ERANGE
            """)
    void refused(String text, Errno errno) {
        assertThatThrownBy(() -> ListenAddress.parse(text))
                .isInstanceOfSatisfying(InvalidAddressException.class, e -> {
                    assertThat(e.errno()).isEqualTo(errno);
                    assertThat(e.address()).isEqualTo(text);
                });
    }

    @Test
    void aBarePortListensOnEveryAddressDualStack() throws Exception {
        assertThat(ListenAddress.parse("8080")).isEqualTo(
                new SockAddr.In6((Inet6Address) InetAddress.getByName("::"), 8080, 0));
    }

    @Test
    void aScopeAfterThePortIsTheInterface() throws Exception {
        NetworkInterface lo = NetworkInterface.getByName("lo");
        assumeThat(lo).isNotNull();
        SockAddr.In6 byName = (SockAddr.In6) ListenAddress.parse("[::1]:1234%lo");
        SockAddr.In6 byIndex = (SockAddr.In6) ListenAddress.parse("[::1]:1234%" + lo.getIndex());

        assertThat(byName.scopeId()).isEqualTo(lo.getIndex());
        assertThat(byName.port()).isEqualTo(1234);
        assertThat(byIndex).isEqualTo(byName);
        assertThatThrownBy(() -> ListenAddress.parse("[::1]:1234%nosuchif0"))
                .isInstanceOfSatisfying(InvalidAddressException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENODEV));
    }

    @Test
    void pathLengthIsChecked() throws InvalidAddressException {
        String longest = "/" + "x".repeat(SockAddr.UNIX_PATH_MAX - 2);
        assertThat(ListenAddress.parse(longest)).isEqualTo(new SockAddr.UnixPath(longest));
        assertThatThrownBy(() -> ListenAddress.parse(longest + "x"))
                .isInstanceOfSatisfying(InvalidAddressException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENAMETOOLONG));
        assertThatThrownBy(() -> ListenAddress.parse("@" + "x".repeat(SockAddr.UNIX_PATH_MAX)))
                .isInstanceOfSatisfying(InvalidAddressException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EINVAL));
    }

    @Test
    void hostNamesNeverReachTheResolver() {
        // A name that would resolve (localhost) is refused like any other name.
        assertThatThrownBy(() -> ListenAddress.parse("[localhost]:80")).isInstanceOf(InvalidAddressException.class);
    }
}
