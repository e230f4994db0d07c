package dev.sockact.posix;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** recvmmsg through DatagramMessage on a real UDP socket: each datagram with its own sender, length and flags. */
class DatagramMessageTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final int CAPACITY = 64;

    @Test
    void aBatchGivesEachDatagramItsSenderLengthAndTruncation() throws Exception {
        try (Arena arena = Arena.ofConfined();
             Fd socket = Sockets.socket(SockAddr.AF_INET, Sockets.SOCK_DGRAM, 0);
             DatagramSocket a = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
             DatagramSocket b = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0))) {
            Sockets.bind(socket, new SockAddr.In4((Inet4Address) LOOPBACK, 0));
            InetSocketAddress to = new InetSocketAddress(LOOPBACK, ((SockAddr.In4) Sockets.localAddress(socket.fd())).port());
            DatagramMessage message = DatagramMessage.allocate(arena);
            MemorySegment buffers = arena.allocate((long) CAPACITY * DatagramMessage.BATCH);

            assertThat(message.receive(socket.fd(), buffers, CAPACITY, DatagramMessage.BATCH))
                    .as("nothing waits: it does not block").isEqualTo(-Errno.EAGAIN.number());

            send(a, to, "one");
            send(b, to, "two!");
            send(a, to, "x".repeat(CAPACITY + 10));
            send(b, to, "four");
            // Every datagram is queued once the last one is: loopback delivers them in the sending call.
            assertThat(message.receive(socket.fd(), buffers, CAPACITY, 1)).as("count 1 reads one").isEqualTo(1);
            message.select(0);
            assertThat(text(buffers, 0, message.length())).isEqualTo("one");
            assertThat(message.sender()).isEqualTo(new SockAddr.In4((Inet4Address) LOOPBACK, a.getLocalPort()));

            assertThat(message.receive(socket.fd(), buffers, CAPACITY, DatagramMessage.BATCH))
                    .as("fewer than asked: the socket is empty").isEqualTo(3);
            message.select(0);
            assertThat(text(buffers, 0, message.length())).isEqualTo("two!");
            assertThat(message.truncated()).isFalse();
            assertThat(message.sender()).isEqualTo(new SockAddr.In4((Inet4Address) LOOPBACK, b.getLocalPort()));
            message.select(1);
            assertThat(message.truncated()).as("longer than its buffer").isTrue();
            assertThat(message.sender()).isEqualTo(new SockAddr.In4((Inet4Address) LOOPBACK, a.getLocalPort()));
            message.select(2);
            assertThat(message.truncated()).isFalse();
            assertThat(text(buffers, 2L * CAPACITY, message.length())).isEqualTo("four");
            assertThat(message.replySource(arena.allocate(DatagramMessage.REPLY_SOURCE_SIZE)))
                    .as("no packet info on a socket bound to one address").isZero();

            // The lengths the kernel wrote back were reset: a full batch again fills every slot's name.
            for (int i = 0; i < DatagramMessage.BATCH + 1; i++) {
                send(i % 2 == 0 ? a : b, to, "n" + i);
            }
            assertThat(message.receive(socket.fd(), buffers, CAPACITY, DatagramMessage.BATCH))
                    .isEqualTo(DatagramMessage.BATCH);
            for (int i = 0; i < DatagramMessage.BATCH; i++) {
                message.select(i);
                assertThat(text(buffers, (long) CAPACITY * i, message.length())).isEqualTo("n" + i);
                assertThat(message.sender()).isEqualTo(new SockAddr.In4((Inet4Address) LOOPBACK,
                        (i % 2 == 0 ? a : b).getLocalPort()));
            }
            assertThat(message.receive(socket.fd(), buffers, CAPACITY, DatagramMessage.BATCH)).isEqualTo(1);
        }
    }

    /**
     * The kernel writes back each name's length: an unbound UNIX sender's is 2 bytes. A datagram read into the same
     * slot later, from a sender with a path, must still get its whole name.
     */
    @Test
    void eachReceiveHasRoomForTheWholeNameAgain(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        try (Arena arena = Arena.ofConfined();
             Fd receiver = Sockets.socket(SockAddr.AF_UNIX, Sockets.SOCK_DGRAM, 0);
             Fd unbound = Sockets.socket(SockAddr.AF_UNIX, Sockets.SOCK_DGRAM, 0);
             Fd bound = Sockets.socket(SockAddr.AF_UNIX, Sockets.SOCK_DGRAM, 0)) {
            SockAddr.UnixPath to = new SockAddr.UnixPath(dir.resolve("receiver").toString());
            SockAddr.UnixPath from = new SockAddr.UnixPath(dir.resolve("a-sender-with-a-long-name").toString());
            Sockets.bind(receiver, to);
            Sockets.bind(bound, from);
            DatagramMessage message = DatagramMessage.allocate(arena);
            MemorySegment buffers = arena.allocate((long) CAPACITY * DatagramMessage.BATCH);
            MemorySegment payload = arena.allocate(1);

            Sockets.connect(unbound, to);
            assertThat(Sockets.sendRaw(unbound.fd(), payload, 1, Sockets.MSG_NOSIGNAL)).isEqualTo(1);
            assertThat(message.receive(receiver.fd(), buffers, CAPACITY, DatagramMessage.BATCH)).isEqualTo(1);
            message.select(0);
            assertThat(message.sender()).isInstanceOf(SockAddr.UnixUnnamed.class);

            Sockets.connect(bound, to);
            assertThat(Sockets.sendRaw(bound.fd(), payload, 1, Sockets.MSG_NOSIGNAL)).isEqualTo(1);
            assertThat(message.receive(receiver.fd(), buffers, CAPACITY, DatagramMessage.BATCH)).isEqualTo(1);
            message.select(0);
            assertThat(message.sender()).isEqualTo(from);
        }
    }

    private static void send(DatagramSocket from, InetSocketAddress to, String text) throws Exception {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        from.send(new DatagramPacket(bytes, bytes.length, to));
    }

    private static String text(MemorySegment buffers, long offset, long length) {
        return new String(buffers.asSlice(offset, length).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
    }
}
