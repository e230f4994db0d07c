package dev.sockact.daemon;

import dev.sockact.activation.ListenSockets;
import dev.sockact.event.Watch;
import dev.sockact.posix.Epoll;
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
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The NOTIFY_SOCKET of one service: an AF_UNIX datagram socket only that service's processes are told about, so
 * every message is attributed to it without SCM_CREDENTIALS (NotifyAccess= is therefore not enforced per pid).
 */
final class NotifySocket implements AutoCloseable {
    /** Bound of one message, as systemd's NOTIFY_BUFFER_MAX is; longer datagrams are truncated. */
    static final int MAX_MESSAGE = 4096;

    private final Fd fd;
    private final Path path;
    private final Watch watch;
    private final ServiceRuntime service;
    private final MemorySegment buffer = Arena.ofAuto().allocate(MAX_MESSAGE);

    private NotifySocket(UnitContext manager, ServiceRuntime service, Fd fd, Path path) throws ErrnoException {
        this.fd = fd;
        this.path = path;
        this.service = service;
        this.watch = manager.watch(fd.fd(), Epoll.EPOLLIN, events -> readable());
    }

    static NotifySocket open(UnitContext manager, ServiceRuntime service) throws ErrnoException {
        Path path = service.notifyPath();
        // ListenSockets creates the folder and replaces a stale node itself.
        Fd fd = ListenSockets.open(new SockAddr.UnixPath(path.toString()),
                new ListenSockets.Options(Sockets.SOCK_DGRAM, 0, null, 0777, 0755));
        try {
            Io.setNonBlocking(fd.fd(), true);
            return new NotifySocket(manager, service, fd, path);
        } catch (ErrnoException e) {
            fd.close();
            throw e;
        }
    }

    String path() {
        return path.toString();
    }

    private void readable() {
        while (true) {
            long n = Io.readRaw(fd.fd(), buffer, MAX_MESSAGE);
            if (n == -Errno.EINTR.number()) {
                continue;
            }
            if (n < 0) {
                return;
            }
            String text = new String(buffer.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE),
                    StandardCharsets.UTF_8);
            service.notified(parse(text));
            if (!fd.isOpen()) {
                return;   // the message ended the service, and with it this socket
            }
        }
    }

    static Map<String, String> parse(String text) {
        Map<String, String> result = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                result.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return result;
    }

    @Override
    public void close() {
        watch.cancel();
        fd.close();
        ServiceRuntime.removeQuietly(path);
    }
}
