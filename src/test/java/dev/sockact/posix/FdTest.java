package dev.sockact.posix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Ownership of descriptors: closed exactly once, taken away without closing, created CLOEXEC. */
class FdTest {
    @Test
    void closesOnceAndLaterClosesDoNothing() throws ErrnoException {
        Fd[] pair = Sockets.socketPair(Sockets.SOCK_STREAM);
        int number = pair[0].fd();
        pair[0].close();
        assertThat(pair[0].isOpen()).isFalse();
        assertThat(Io.isOpen(number)).isFalse();
        // The number may be reused by the next descriptor; a second close must not close that one.
        try (Fd reused = Sockets.socket(SockAddr.AF_UNIX, Sockets.SOCK_STREAM, 0)) {
            pair[0].close();
            assertThat(Io.isOpen(reused.fd())).isTrue();
        }
        pair[1].close();
    }

    @Test
    void takeTransfersOwnership() throws ErrnoException {
        Fd[] pair = Sockets.socketPair(Sockets.SOCK_STREAM);
        int raw = pair[0].take();
        pair[0].close();
        assertThat(Io.isOpen(raw)).isTrue();
        assertThatThrownBy(pair[0]::take).isInstanceOf(IllegalStateException.class);
        Fd.adopt(raw).close();
        assertThat(Io.isOpen(raw)).isFalse();
        pair[1].close();
    }

    @Test
    void everyCreatedDescriptorIsCloexec() throws ErrnoException {
        Fd[] pair = Sockets.socketPair(Sockets.SOCK_STREAM);
        try (Fd a = pair[0]; Fd b = pair[1];
             Fd socket = Sockets.socket(SockAddr.AF_INET, Sockets.SOCK_STREAM, 0);
             Pipes.Pipe pipe = Pipes.pipe(0);
             EventFd event = EventFd.create();
             Epoll _ = Epoll.create(1);
             Fd duplicate = Io.duplicate(a.fd(), 10)) {
            for (int fd : new int[] {a.fd(), b.fd(), socket.fd(), pipe.readEnd().fd(), pipe.writeEnd().fd(), event.fd(), duplicate.fd()}) {
                assertThat(Io.isCloseOnExec(fd)).as("fd %d", fd).isTrue();
            }
            assertThat(duplicate.fd()).isGreaterThanOrEqualTo(10);
        }
    }

    @Test
    void negativeNumbersAreRefused() {
        assertThatThrownBy(() -> Fd.adopt(-1)).isInstanceOf(IllegalArgumentException.class);
    }
}
