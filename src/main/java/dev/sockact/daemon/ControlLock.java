package dev.sockact.daemon;

import dev.sockact.activation.ListenSockets;
import dev.sockact.posix.Errno;
import dev.sockact.posix.ErrnoException;
import dev.sockact.posix.Fd;
import dev.sockact.posix.PosixFiles;
import dev.sockact.posix.SockAddr;
import dev.sockact.posix.Sockets;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The control socket's path, held for the daemon's lifetime: a bound, listening AF_UNIX socket. A second instance
 * finds it answering and refuses to start; a socket left by a crashed instance refuses connections and is
 * replaced. {@link ControlServer} serves the control protocol on it.
 */
final class ControlLock implements AutoCloseable {
    private final Path path;
    private final Fd fd;

    private ControlLock(Path path, Fd fd) {
        this.path = path;
        this.fd = fd;
    }

    /** Thrown when another instance holds the path. */
    static final class HeldException extends IOException {
        private static final long serialVersionUID = 1L;

        HeldException(String message) {
            super(message);
        }
    }

    static ControlLock acquire(Path path) throws IOException {
        return acquire(path, 0600);
    }

    /** @param mode the socket node's mode: 0600 by default; SO_PEERCRED still limits who may change state */
    static ControlLock acquire(Path path, int mode) throws IOException {
        if (path.getParent() != null) {
            ListenSockets.makeDirectories(path.getParent(), 0755);
        }
        SockAddr address = new SockAddr.UnixPath(path.toString());
        if (answers(address)) {
            throw new HeldException("Another sockactd is already running on control socket " + path + ", refusing to start.");
        }
        // Not answering: nothing there, or a stale node from an instance that died; bind replaces it.
        Fd fd = ListenSockets.open(address, new ListenSockets.Options(Sockets.SOCK_STREAM, 64, null, mode, 0755));
        return new ControlLock(path, fd);
    }

    private static boolean answers(SockAddr address) throws ErrnoException {
        try (Fd probe = Sockets.socket(SockAddr.AF_UNIX, Sockets.SOCK_STREAM, 0)) {
            int r = Sockets.connectRaw(probe, address);
            if (r == 0) {
                return true;
            }
            if (r == -Errno.ECONNREFUSED.number() || r == -Errno.ENOENT.number()) {
                return false;
            }
            throw new ErrnoException("connect", -r, address);
        }
    }

    /** The listening socket, for the control server. */
    Fd fd() {
        return fd;
    }

    @Override
    public void close() {
        fd.close();
        try {
            PosixFiles.unlink(path.toString());
        } catch (ErrnoException ignored) {
            // already gone
        }
    }
}
