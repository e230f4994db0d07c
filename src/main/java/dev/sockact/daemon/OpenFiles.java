package dev.sockact.daemon;

import dev.sockact.posix.ErrnoException;
import dev.sockact.posix.Fd;
import dev.sockact.posix.PosixFiles;
import dev.sockact.unit.OpenFile;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;

/**
 * OpenFile= (systemd 253): the files a service's main command gets after its sockets, opened by sockactd (so with
 * its privileges, not the service's) for each spawn, as systemd's collect_open_file_fds() opens them in the child.
 * The flags are open_file_to_fd()'s: O_RDONLY with read-only, else O_RDWR, plus O_APPEND or O_TRUNC; never O_CREAT
 * (the file must exist). An AF_UNIX socket given as the path (which systemd connects to) fails to open here, as
 * any file that cannot be opened.
 */
final class OpenFiles implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("sockactd");
    private static final int O_RDONLY = 0;
    private static final int O_RDWR = 2;
    private static final int O_NOCTTY = 0x100;
    private static final int O_TRUNC = 0x200;
    private static final int O_APPEND = 0x400;

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
            int flags = (file.readOnly() ? O_RDONLY : O_RDWR) | O_NOCTTY
                    | (file.append() ? O_APPEND : 0) | (file.truncate() ? O_TRUNC : 0);
            try {
                fds.add(PosixFiles.open(file.path().toString(), flags, 0));
                names.add(file.fdName());
            } catch (ErrnoException e) {
                if (file.graceful()) {
                    LOG.log(Level.DEBUG, () -> unit + ": Failed to open OpenFile= file '" + file.path()
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
