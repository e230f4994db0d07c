package dev.sockact.proxy;

import dev.sockact.posix.Errno;
import dev.sockact.posix.ErrnoException;
import dev.sockact.posix.Fd;
import dev.sockact.posix.Io;
import dev.sockact.posix.SockAddr;
import dev.sockact.posix.Sockets;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The service manager's end of sd_notify: an AF_UNIX datagram socket bound to
 * a path (the JDK has no UNIX datagram sockets; the project's FFM has).
 */
final class NotifyListener implements AutoCloseable {
    private final Path path;
    private final Fd socket;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment buffer = arena.allocate(4096);
    private final List<String> received = new ArrayList<>();

    NotifyListener(Path path) throws ErrnoException {
        this.path = path;
        this.socket = Sockets.socket(SockAddr.AF_UNIX, Sockets.SOCK_DGRAM | Sockets.SOCK_NONBLOCK, 0);
        Sockets.bind(socket, new SockAddr.UnixPath(path.toString()));
    }

    /** The value for NOTIFY_SOCKET. */
    String address() {
        return path.toString();
    }

    /** Every message received so far, in order (a message may hold several lines). */
    synchronized List<String> messages() {
        drain();
        return List.copyOf(received);
    }

    /** Waits until a message with the line {@code state} arrived. */
    void await(String state, ProxyProcess sender) {
        sender.awaitCondition(() -> messages().stream().anyMatch(m -> m.lines().anyMatch(state::equals)),
                state + " on NOTIFY_SOCKET (got " + messages() + ")");
    }

    private void drain() {
        while (true) {
            long n = Io.readRaw(socket.fd(), buffer, buffer.byteSize());
            if (n == -Errno.EAGAIN.number() || n <= 0) {
                return;
            }
            received.add(new String(buffer.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8));
        }
    }

    @Override
    public void close() {
        socket.close();
        arena.close();
    }
}
