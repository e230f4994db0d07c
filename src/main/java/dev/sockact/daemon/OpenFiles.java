package dev.sockact.daemon;

import dev.sockact.posix.Errno;
import dev.sockact.posix.ErrnoException;
import dev.sockact.posix.Fd;
import dev.sockact.posix.Io;
import dev.sockact.posix.PosixFiles;
import dev.sockact.posix.SockAddr;
import dev.sockact.posix.Sockets;
import dev.sockact.unit.OpenFile;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;

/**
 * OpenFile= (systemd 253): the files a service's main command gets after its sockets, opened by sockactd (so with
 * its privileges, not the service's) for each spawn, as systemd's collect_open_file_fds() opens them in the child.
 * As get_open_file_fd() does, the path is first opened O_PATH and fstat'ed. A file is then reopened through
 * /proc/self/fd with open_file_to_fd()'s flags: O_RDONLY with read-only, else O_RDWR, plus O_APPEND or O_TRUNC;
 * never O_CREAT (the file must exist). An AF_UNIX socket is connected to instead, as connect_unix_harder() does:
 * through /proc/self/fd (so a path longer than sun_path works too), trying SOCK_DGRAM, SOCK_STREAM and
 * SOCK_SEQPACKET in turn while the kernel answers EPROTOTYPE; with read-only its sending side is shut down.
 */
final class OpenFiles implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("sockactd");
    private static final int O_RDONLY = 0;
    private static final int O_RDWR = 2;
    private static final int O_NOCTTY = 0x100;
    private static final int O_TRUNC = 0x200;
    private static final int O_APPEND = 0x400;
    /** connect_unix_harder()'s order. */
    private static final int[] SOCKET_TYPES = {Sockets.SOCK_DGRAM, Sockets.SOCK_STREAM, Sockets.SOCK_SEQPACKET};

    private final List<Fd> fds;
    private final List<String> names;
    private final boolean failed;

    private OpenFiles(List<Fd> fds, List<String> names, boolean failed) {
        this.fds = fds;
        this.names = names;
        this.failed = failed;
    }

    static final OpenFiles NONE = new OpenFiles(List.of(), List.of(), false);

    /**
     * Opens every file, in order. A file that cannot be opened is logged; with {@code graceful} it is left out,
     * without it nothing is passed and {@link #failed()} says the command must not start (systemd's child exits
     * 202/FDS then).
     */
    static OpenFiles open(String unit, List<OpenFile> files) {
        if (files.isEmpty()) {
            return NONE;
        }
        List<Fd> fds = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (OpenFile file : files) {
            try {
                fds.add(open(file));
                names.add(file.fdName());
            } catch (ErrnoException e) {
                if (file.graceful()) {
                    // systemd's level: a missing or forbidden file is expected with graceful, anything else is not.
                    Level level = e.errno() == Errno.ENOENT.number() || e.errno() == Errno.EACCES.number()
                            || e.errno() == Errno.EPERM.number() ? Level.DEBUG : Level.WARNING;
                    LOG.log(level, () -> unit + ": Failed to open OpenFile= file '" + file.path()
                            + "', ignoring: " + e.reason());
                    continue;
                }
                LOG.log(Level.ERROR, unit + ": Failed to open OpenFile= file '" + file.path() + "': " + e.reason());
                fds.forEach(Fd::close);
                return new OpenFiles(List.of(), List.of(), true);
            }
        }
        return new OpenFiles(fds, names, false);
    }

    private static Fd open(OpenFile file) throws ErrnoException {
        try (Fd handle = PosixFiles.openPath(file.path().toString())) {
            String reopen = "/proc/self/fd/" + handle.fd();
            if (PosixFiles.isSocket(handle)) {
                return connect(reopen, file.readOnly());
            }
            int flags = (file.readOnly() ? O_RDONLY : O_RDWR) | O_NOCTTY
                    | (file.append() ? O_APPEND : file.truncate() ? O_TRUNC : 0);
            return PosixFiles.open(reopen, flags, 0);
        }
    }

    /**
     * A connected socket (CLOEXEC, blocking, as the service gets it) to the AF_UNIX socket at {@code path}. The
     * connect itself is non-blocking, so a listener whose backlog is full fails the start (EAGAIN) instead of
     * stalling sockactd.
     */
    private static Fd connect(String path, boolean readOnly) throws ErrnoException {
        SockAddr address = new SockAddr.UnixPath(path);
        for (int type : SOCKET_TYPES) {
            Fd socket = Sockets.socket(SockAddr.AF_UNIX, type | Sockets.SOCK_NONBLOCK, 0);
            try {
                int r = Sockets.connectRaw(socket, address);
                if (r == -Errno.EPROTOTYPE.number()) {
                    socket.close();
                    continue;
                }
                if (r < 0) {
                    throw new ErrnoException("connect", -r, path);
                }
                Io.setNonBlocking(socket.fd(), false);
                if (readOnly) {
                    int shut = Sockets.shutdownRaw(socket.fd(), Sockets.SHUT_WR);
                    if (shut < 0) {
                        throw new ErrnoException("shutdown", -shut, path);
                    }
                }
                return socket;
            } catch (ErrnoException e) {
                socket.close();
                throw e;
            }
        }
        throw new ErrnoException("connect", Errno.EPROTOTYPE.number(), path);
    }

    List<Fd> fds() {
        return fds;
    }

    List<String> names() {
        return names;
    }

    boolean failed() {
        return failed;
    }

    /** Our copies, once the child has its own. */
    @Override
    public void close() {
        fds.forEach(Fd::close);
    }
}
