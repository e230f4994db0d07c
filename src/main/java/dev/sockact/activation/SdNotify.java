package dev.sockact.activation;

import dev.sockact.posix.ErrnoException;
import dev.sockact.posix.Fd;
import dev.sockact.posix.SockAddr;
import dev.sockact.posix.Sockets;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;

/**
 * The sending side of sd_notify(3): datagrams such as "READY=1" to
 * $NOTIFY_SOCKET (a path, or "@name" in the abstract namespace).
 */
public final class SdNotify implements AutoCloseable {
    private final Fd socket;
    private final SockAddr address;

    private SdNotify(Fd socket, SockAddr address) {
        this.socket = socket;
        this.address = address;
    }

    /** A notifier when NOTIFY_SOCKET names a usable socket, else empty (not run by a service manager). */
    public static Optional<SdNotify> fromEnvironment(Map<String, String> environment) throws ErrnoException {
        String path = environment.get("NOTIFY_SOCKET");
        if (path == null || path.length() < 2 || !(path.startsWith("/") || path.startsWith("@"))) {
            return Optional.empty();
        }
        SockAddr address = path.startsWith("@") ? new SockAddr.UnixAbstract(path.substring(1)) : new SockAddr.UnixPath(path);
        return Optional.of(new SdNotify(Sockets.socket(SockAddr.AF_UNIX, Sockets.SOCK_DGRAM, 0), address));
    }

    /**
     * The watchdog interval in nanoseconds when WATCHDOG_USEC asks us for pings
     * (and WATCHDOG_PID, if set, is our pid), else empty.
     */
    public static Optional<Long> watchdogNanos(Map<String, String> environment, int ownPid) {
        String usec = environment.get("WATCHDOG_USEC");
        String pid = environment.get("WATCHDOG_PID");
        if (usec == null || (pid != null && !pid.equals(Integer.toString(ownPid)))) {
            return Optional.empty();
        }
        try {
            long value = Long.parseLong(usec);
            return value > 0 ? Optional.of(value * 1000) : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** Sends one state message, e.g. "READY=1". */
    public void send(String state) throws ErrnoException {
        Sockets.sendTo(socket, state.getBytes(StandardCharsets.UTF_8), address);
    }

    @Override
    public void close() {
        socket.close();
    }
}
