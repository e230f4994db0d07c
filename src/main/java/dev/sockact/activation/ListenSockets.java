package dev.sockact.activation;

import dev.sockact.posix.Errno;
import dev.sockact.posix.ErrnoException;
import dev.sockact.posix.Fd;
import dev.sockact.posix.PosixFiles;
import dev.sockact.posix.SockAddr;
import dev.sockact.posix.Sockets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Creates a bound (and, for stream and seqpacket, listening) socket the way
 * systemd's socket_address_listen() does: SO_REUSEADDR, dual-stack IPv6 by
 * default, parent folders created with the directory mode, the socket node
 * created under a umask that yields the socket mode, and a stale node from an
 * earlier run replaced.
 */
public final class ListenSockets {
    /** listen(2) backlog when none is given: the kernel caps it at net.core.somaxconn. */
    public static final int DEFAULT_BACKLOG = Integer.MAX_VALUE;

    /** umask is process-wide: binds that depend on it are serialised. */
    private static final Object UMASK_LOCK = new Object();

    private ListenSockets() {
        throw new AssertionError();
    }

    /**
     * Options that decide how the socket is created.
     *
     * @param type          SOCK_STREAM, SOCK_DGRAM or SOCK_SEQPACKET
     * @param backlog       listen(2) backlog
     * @param ipv6Only      null: the kernel default for [::] is overridden to dual-stack; otherwise IPV6_V6ONLY
     * @param socketMode    mode of an AF_UNIX socket node
     * @param directoryMode mode of parent folders created for it
     */
    public record Options(int type, int backlog, Boolean ipv6Only, int socketMode, int directoryMode) {
        /** What systemd-socket-activate uses: SocketMode 0644, DirectoryMode 0755. */
        public static Options activateDefaults(int type) {
            return new Options(type, DEFAULT_BACKLOG, null, 0644, 0755);
        }
    }

    public static Fd open(SockAddr address, Options options) throws ErrnoException {
        return open(address, options, 0, fd -> { });
    }

    /** Called on the new socket after sockact's own options and before bind(2) (socket-unit options). */
    @FunctionalInterface
    public interface BeforeBind {
        void configure(Fd fd) throws ErrnoException;
    }

    /** As {@link #open(SockAddr, Options)}, with a protocol (SocketProtocol=) and options set before bind. */
    public static Fd open(SockAddr address, Options options, int protocol, BeforeBind beforeBind)
            throws ErrnoException {
        Fd fd = Sockets.socket(address.family(), options.type(), protocol);
        try {
            if (address instanceof SockAddr.In4 || address instanceof SockAddr.In6) {
                Sockets.setIntOption(fd.fd(), Sockets.SOL_SOCKET, Sockets.SO_REUSEADDR, 1);
            }
            if (address instanceof SockAddr.In6) {
                boolean only = options.ipv6Only() != null && options.ipv6Only();
                Sockets.setIntOption(fd.fd(), Sockets.IPPROTO_IPV6, Sockets.IPV6_V6ONLY, only ? 1 : 0);
            }
            beforeBind.configure(fd);
            if (address instanceof SockAddr.UnixPath path) {
                bindPath(fd, path, options);
            } else {
                Sockets.bind(fd, address);
            }
            if (options.type() != Sockets.SOCK_DGRAM) {
                Sockets.listen(fd, options.backlog());
            }
            return fd;
        } catch (ErrnoException | RuntimeException e) {
            fd.close();
            throw e;
        }
    }

    private static void bindPath(Fd fd, SockAddr.UnixPath path, Options options) throws ErrnoException {
        Path parent = Path.of(path.path()).getParent();
        if (parent != null) {
            makeDirectories(parent, options.directoryMode());
        }
        underUmask(options.socketMode(), () -> {
            try {
                Sockets.bind(fd, path);
            } catch (ErrnoException e) {
                if (e.errno() != Errno.EADDRINUSE.number()) {
                    throw e;
                }
                // A node left by an earlier run; systemd removes it and binds again.
                PosixFiles.unlink(path.path());
                Sockets.bind(fd, path);
            }
            return null;
        });
    }

    /** A step that creates a file-system node. */
    @FunctionalInterface
    interface NodeCreation<T> {
        T create() throws ErrnoException;
    }

    /** Runs {@code creation} with the umask that gives new nodes {@code mode} (umask is process-wide). */
    static <T> T underUmask(int mode, NodeCreation<T> creation) throws ErrnoException {
        synchronized (UMASK_LOCK) {
            int previous = PosixFiles.umask(~mode & 0777);
            try {
                return creation.create();
            } finally {
                PosixFiles.umask(previous);
            }
        }
    }

    /**
     * mkdir -p with exactly {@code mode} for each folder created, whatever the umask, as systemd makes a socket's
     * parent folders (DirectoryMode=, 0755 by default); existing ones are left alone.
     */
    public static void makeDirectories(Path directory, int mode) throws ErrnoException {
        if (Files.isDirectory(directory)) {
            return;
        }
        underUmask(mode, () -> {
            makeMissing(directory, mode);
            return null;
        });
    }

    private static void makeMissing(Path directory, int mode) throws ErrnoException {
        if (Files.isDirectory(directory)) {
            return;
        }
        Path parent = directory.getParent();
        if (parent != null) {
            makeMissing(parent, mode);
        }
        try {
            PosixFiles.mkdir(directory.toString(), mode);
        } catch (ErrnoException e) {
            if (e.errno() != Errno.EEXIST.number()) {
                throw e;
            }
        }
    }
}
