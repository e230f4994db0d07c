package dev.sockact.posix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The messages of failed system calls, made by real failing calls, and the errno classification. */
class ErrnoExceptionTest {
    private static SockAddr.In4 loopback(int port) throws IOException {
        return new SockAddr.In4((Inet4Address) InetAddress.getByName("127.0.0.1"), port);
    }

    @Test
    void bindOnATakenPortNamesCallAddressErrnoAndText() throws IOException {
        try (Fd first = Sockets.socket(SockAddr.AF_INET, Sockets.SOCK_STREAM, 0);
             Fd second = Sockets.socket(SockAddr.AF_INET, Sockets.SOCK_STREAM, 0)) {
            Sockets.bind(first, loopback(0));
            Sockets.listen(first, 1);
            int port = ((SockAddr.In4) Sockets.localAddress(first.fd())).port();

            assertThatThrownBy(() -> Sockets.bind(second, loopback(port)))
                    .isInstanceOfSatisfying(ErrnoException.class, e -> {
                        assertThat(e).hasMessage("bind(127.0.0.1:" + port + "): EADDRINUSE (Address already in use)");
                        assertThat(e.call()).isEqualTo("bind");
                        assertThat(e.errno()).isEqualTo(98);
                        assertThat(e.errnoConstant()).isEqualTo(Errno.EADDRINUSE);
                        assertThat(e.object()).isEqualTo("127.0.0.1:" + port);
                        assertThat(e.reason()).isEqualTo("EADDRINUSE (Address already in use)");
                    })
                    .isInstanceOf(IOException.class);
        }
    }

    @Test
    void connectToABoundButNotListeningPortIsRefused() throws IOException {
        // Bound and kept, but not listening: nobody else can take the port while we connect.
        try (Fd bound = Sockets.socket(SockAddr.AF_INET, Sockets.SOCK_STREAM, 0);
             Fd client = Sockets.socket(SockAddr.AF_INET, Sockets.SOCK_STREAM, 0)) {
            Sockets.bind(bound, loopback(0));
            SockAddr address = Sockets.localAddress(bound.fd());

            assertThatThrownBy(() -> Sockets.connect(client, address))
                    .isInstanceOf(ErrnoException.class)
                    .hasMessage("connect(" + address + "): ECONNREFUSED (Connection refused)");
        }
    }

    @Test
    void socketWithAnUnknownFamilyNamesTheFamily() {
        assertThatThrownBy(() -> Sockets.socket(4242, Sockets.SOCK_STREAM, 0))
                .isInstanceOfSatisfying(ErrnoException.class, e -> {
                    assertThat(e).hasMessage("socket(family 4242): EAFNOSUPPORT (Address family not supported by protocol)");
                    assertThat(e.errnoConstant()).isEqualTo(Errno.EAFNOSUPPORT);
                });
    }

    @Test
    void aCallWithoutObjectHasNoParentheses() {
        assertThat(new ErrnoException("epoll_create1", Errno.EMFILE.number(), null))
                .hasMessage("epoll_create1: EMFILE (Too many open files)");
    }

    @Test
    void anErrnoTheTableDoesNotNameIsPrintedAsANumber() {
        ErrnoException e = new ErrnoException("ioctl", 133, "fd 7");
        assertThat(e.errnoConstant()).isNull();
        assertThat(e.getMessage()).startsWith("ioctl(fd 7): errno 133 (");
        assertThat(Errno.nameOf(500)).isEqualTo("errno 500");
        assertThat(Errno.of(0)).isNull();
        assertThat(Errno.of(-1)).isNull();
    }

    /** Every constant's number is one the C library knows, i.e. the table is not shifted. */
    @ParameterizedTest
    @EnumSource(Errno.class)
    void everyConstantHasTheCLibrarysText(Errno errno) {
        assertThat(Errno.of(errno.number())).isEqualTo(errno);
        assertThat(new ErrnoException("x", errno.number(), null).reason())
                .startsWith(errno.name() + " (")
                .doesNotContain("Unknown error");
    }

    @Test
    void numbersAreTheLinuxOnes() {
        assertThat(Errno.EAGAIN.number()).isEqualTo(11);
        assertThat(Errno.EADDRINUSE.number()).isEqualTo(98);
        assertThat(Errno.ECONNREFUSED.number()).isEqualTo(111);
        assertThat(Errno.EINPROGRESS.number()).isEqualTo(115);
        assertThat(Arrays.stream(Errno.values()).map(Errno::number).distinct().count()).isEqualTo(Errno.values().length);
    }

    @Test
    void classification() {
        assertThat(Errno.isTransient(Errno.EAGAIN.number())).isTrue();
        assertThat(Errno.isTransient(Errno.EINTR.number())).isTrue();
        assertThat(Errno.isTransient(Errno.ECONNRESET.number())).isFalse();

        assertThat(Errno.isDisconnect(Errno.ECONNRESET.number())).isTrue();
        assertThat(Errno.isDisconnect(Errno.EPIPE.number())).isTrue();
        assertThat(Errno.isDisconnect(Errno.ETIMEDOUT.number())).isTrue();
        assertThat(Errno.isDisconnect(Errno.EAGAIN.number())).isFalse();
        assertThat(Errno.isDisconnect(Errno.EMFILE.number())).isFalse();
        assertThat(Errno.isDisconnect(9999)).isFalse();

        assertThat(Errno.isAcceptAgain(Errno.EAGAIN.number())).isTrue();
        assertThat(Errno.isAcceptAgain(Errno.ECONNABORTED.number())).isTrue();
        assertThat(Errno.isAcceptAgain(Errno.EOPNOTSUPP.number())).isTrue();
        // Out of descriptors is not "this connection only": the caller must back off, not spin.
        assertThat(Errno.isAcceptAgain(Errno.EMFILE.number())).isFalse();
        assertThat(Errno.isAcceptAgain(Errno.EBADF.number())).isFalse();
    }
}
