package dev.sockact.posix;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sockact.testing.FdIo;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Bytes through splice(2): socket -> pipe -> socket, the forwarder's data path,
 * between two real connections, with a large random payload written in random
 * chunk sizes and spliced in random lengths. The bytes must come out exact.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SpliceTest {
    private static final int PAYLOAD = 8 << 20;
    private static final int MAX_CHUNK = 64 << 10;

    @Test
    void spliceCarriesEveryByteBetweenSocketPairs() throws Exception {
        Fd[] in = Sockets.socketPair(Sockets.SOCK_STREAM);
        Fd[] out = Sockets.socketPair(Sockets.SOCK_STREAM);
        relay(in[0], in[1], out[0], out[1], 1);
    }

    @Test
    void spliceCarriesEveryByteBetweenTcpConnections() throws Exception {
        try (Fd listener = Sockets.socket(SockAddr.AF_INET, Sockets.SOCK_STREAM, 0)) {
            Sockets.bind(listener, new SockAddr.In4((Inet4Address) InetAddress.getByName("127.0.0.1"), 0));
            Sockets.listen(listener, 8);
            SockAddr address = Sockets.localAddress(listener.fd());
            Fd[] in = connectedPair(listener, address);
            Fd[] out = connectedPair(listener, address);
            relay(in[0], in[1], out[0], out[1], 2);
        }
    }

    private static Fd[] connectedPair(Fd listener, SockAddr address) throws ErrnoException {
        Fd client = Sockets.socket(SockAddr.AF_INET, Sockets.SOCK_STREAM, 0);
        Sockets.connect(client, address);
        return new Fd[] {client, Sockets.accept(listener, 0)};
    }

    /** Writes into {@code source}, splices {@code sourcePeer} -> pipe -> {@code sink}, reads {@code sinkPeer}. */
    private static void relay(Fd source, Fd sourcePeer, Fd sink, Fd sinkPeer, long seed) throws Exception {
        byte[] payload = new byte[PAYLOAD];
        Random random = new Random(seed);
        random.nextBytes(payload);
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try (source; sourcePeer; sink; sinkPeer; Pipes.Pipe pipe = Pipes.pipe(0)) {
            Future<?> writer = threads.submit(() -> {
                writeInChunks(source, payload, new Random(seed + 100));
                Sockets.shutdownRaw(source.fd(), Sockets.SHUT_WR);
                return null;
            });
            Future<Long> splicer = threads.submit(() -> {
                long moved = spliceUntilEof(sourcePeer, pipe, sink, new Random(seed + 200));
                Sockets.shutdownRaw(sink.fd(), Sockets.SHUT_WR);
                return moved;
            });
            byte[] received = FdIo.readAll(sinkPeer);
            writer.get(60, TimeUnit.SECONDS);
            assertThat(splicer.get(60, TimeUnit.SECONDS)).isEqualTo(PAYLOAD);
            assertThat(received).hasSize(PAYLOAD);
            assertThat(received).isEqualTo(payload);
        } finally {
            threads.shutdownNow();
        }
    }

    private static void writeInChunks(Fd fd, byte[] payload, Random random) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment all = arena.allocate(payload.length);
            MemorySegment.copy(payload, 0, all, ValueLayout.JAVA_BYTE, 0, payload.length);
            long done = 0;
            while (done < payload.length) {
                long chunk = Math.min(payload.length - done, 1 + random.nextInt(MAX_CHUNK));
                long n = Io.writeRaw(fd.fd(), all.asSlice(done), chunk);
                if (n < 0) {
                    throw new ErrnoException("write", (int) -n, fd);
                }
                done += n;
            }
        }
    }

    private static long spliceUntilEof(Fd from, Pipes.Pipe pipe, Fd to, Random random) throws ErrnoException {
        long total = 0;
        while (true) {
            long in = Pipes.spliceRaw(from.fd(), pipe.writeEnd().fd(), 1 + random.nextInt(MAX_CHUNK), Pipes.SPLICE_F_MOVE);
            if (in < 0) {
                throw new ErrnoException("splice", (int) -in, from);
            }
            if (in == 0) {
                return total;
            }
            long pending = in;
            while (pending > 0) {
                long n = Pipes.spliceRaw(pipe.readEnd().fd(), to.fd(), pending, Pipes.SPLICE_F_MOVE);
                if (n <= 0) {
                    throw new ErrnoException("splice", (int) -n, to);
                }
                pending -= n;
            }
            total += in;
        }
    }

    @Test
    void pipeEndsAreCloexecAndCapacityCanGrow() throws ErrnoException {
        try (Pipes.Pipe pipe = Pipes.pipe(Io.O_NONBLOCK)) {
            assertThat(Io.isCloseOnExec(pipe.readEnd().fd())).isTrue();
            assertThat(Io.isCloseOnExec(pipe.writeEnd().fd())).isTrue();
            // 256 KiB is below the default /proc/sys/fs/pipe-max-size (1 MiB), so no privilege is needed.
            assertThat(Pipes.setCapacity(pipe.writeEnd(), 256 << 10)).isGreaterThanOrEqualTo(256 << 10);
            assertThat(Pipes.capacity(pipe.readEnd())).isGreaterThanOrEqualTo(256 << 10);
        }
    }
}
