package dev.sockact.daemon;

import dev.sockact.event.EventLoop;
import dev.sockact.posix.ErrnoException;
import dev.sockact.posix.Fd;
import dev.sockact.posix.PosixFiles;
import dev.sockact.unit.ExecCommand;
import dev.sockact.unit.ServiceUnit;
import dev.sockact.unit.StandardOutput;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;

/**
 * StandardInput= (null, socket) and StandardOutput=/StandardError= (inherit, null, journal, file:, append:,
 * truncate:, socket) for one spawn. "journal" (and syslog, kmsg, with or without +console) is the unit's
 * {@link UnitJournal} and sockactd's own log, under SyslogIdentifier= or the command's file name, as systemd's
 * connect_logger_as() sends it to journald; "inherit" is sockactd's own stdout/stderr, or the socket when
 * StandardInput=socket, as systemd's setup_output() has it.
 */
final class ServiceStdio {
    private static final System.Logger LOG = System.getLogger("sockactd");
    private static final int O_WRONLY = 1;
    private static final int O_RDONLY = 0;
    private static final int O_CREAT = 0x40;
    private static final int O_NOCTTY = 0x100;
    private static final int O_TRUNC = 0x200;
    private static final int O_APPEND = 0x400;

    private ServiceStdio() {
        throw new AssertionError();
    }

    /** The fds for one spawn; the child's ends are ours to close once it has been spawned. */
    static final class Prepared {
        private final List<Fd> owned = new ArrayList<>();
        private final List<OutputLog> logs = new ArrayList<>();
        private ExecSpawner.Stdio stdio = ExecSpawner.Stdio.NONE;

        ExecSpawner.Stdio stdio() {
            return stdio;
        }

        /** The child has its pid (0: it was not spawned): its output streams are read from now on. */
        void spawned(int pid) {
            logs.forEach(log -> log.attach(pid));
        }

        void closeChildEnds() {
            owned.forEach(Fd::close);
        }
    }

    static Prepared prepare(EventLoop loop, UnitJournal journal, ServiceUnit unit, String name, ExecCommand command,
                            List<Fd> fds, boolean isMain) throws ErrnoException {
        Prepared p = new Prepared();
        Journal log = new Journal(loop, journal, name, identifier(unit, command));
        try {
            Fd socket = fds.isEmpty() ? null : fds.getFirst();
            Fd stdin = unit.standardInput().isSocket() && socket != null ? socket : DevNull.reading();
            boolean stdinSocket = stdin == socket && socket != null;
            Fd stdout = output(p, log, unit, unit.standardOutput(), socket, stdinSocket ? socket : null, null);
            // can_inherit_stderr_from_stdout(): the same file for both is opened once, so they share one offset.
            boolean sameFile = unit.standardError() instanceof StandardOutput.File
                    && unit.standardError().equals(unit.standardOutput());
            Fd stderr = sameFile ? stdout : output(p, log, unit, unit.standardError(), socket, stdout, stdout);
            p.stdio = new ExecSpawner.Stdio(isMain ? fds : List.of(), stdin, stdout, stderr);
            return p;
        } catch (ErrnoException | RuntimeException e) {
            p.closeChildEnds();
            p.spawned(0);   // a stream made before the failure reads its end of file, and closes
            throw e;
        }
    }

    /**
     * @param inherited what "inherit" means here (stdin's socket for stdout, stdout for stderr), or null for
     *                  sockactd's own
     * @param sameAs    stdout's fd when resolving stderr, so both journal streams share one pipe
     */
    private static Fd output(Prepared p, Journal log, ServiceUnit unit, StandardOutput setting, Fd socket,
                             Fd inherited, Fd sameAs) throws ErrnoException {
        // Not one pattern switch over the sealed type: its enum-constant labels are bootstrapped on first use
        // (SwitchBootstraps, two dozen method handles spun), which the AOT cache does not keep: 5 ms of a new
        // daemon's first activation. The enum switch below is a plain tableswitch.
        if (setting instanceof StandardOutput.File file) {
            return own(p, PosixFiles.open(file.path(), openFlags(file.mode()), 0644));
        }
        if (setting instanceof StandardOutput.Sink sink) {
            if (sink.isLog()) {
                return journal(p, log, unit, sameAs);
            }
            switch (sink) {
                case INHERIT -> {
                    return inherited;
                }
                case NULL -> {
                    return DevNull.writing();
                }
                case SOCKET -> {
                    return socket != null ? socket : inherited;
                }
                default -> { }
            }
        }
        // tty, fd:NAME
        LOG.log(Level.DEBUG, () -> log.unit + ": StandardOutput/StandardError=" + setting.text()
                + " is not supported by sockactd, using inherit.");
        return inherited;
    }

    /** A journal stream: its pipe's write end, shared with stdout's when stderr goes to the journal too. */
    private static Fd journal(Prepared p, Journal log, ServiceUnit unit, Fd sameAs) throws ErrnoException {
        if (sameAs != null && !p.logs.isEmpty()) {
            return sameAs;
        }
        OutputLog[] created = new OutputLog[1];
        Fd writeEnd = own(p, OutputLog.open(log.loop, log.journal, log.unit, log.identifier, unit.syslogLevel(),
                created));
        p.logs.add(created[0]);
        return writeEnd;
    }

    /** Where a journal stream of this spawn goes. */
    private record Journal(EventLoop loop, UnitJournal journal, String unit, String identifier) {
    }

    /** SyslogIdentifier=, else the command's file name (systemd's basename(command->path)). */
    static String identifier(ServiceUnit unit, ExecCommand command) {
        if (!unit.syslogIdentifier().isEmpty()) {
            return unit.syslogIdentifier();
        }
        String path = command.path();
        return path.substring(path.lastIndexOf('/') + 1);
    }

    private static int openFlags(StandardOutput.FileMode mode) {
        int flags = O_WRONLY | O_CREAT | O_NOCTTY;
        return switch (mode) {
            case WRITE -> flags;
            case APPEND -> flags | O_APPEND;
            case TRUNCATE -> flags | O_TRUNC;
        };
    }

    /**
     * /dev/null for reading and for writing, each opened once and given to every child that asks for it, where
     * systemd opens it per spawn: the device has no offset or state for children to share, and the open and close
     * were about a quarter of the stdio set-up per Accept=yes connection (StandardError=null). Not opened until a
     * spawn needs it; a failed open is not kept, so the next spawn tries again.
     */
    private static final class DevNull {
        private static Fd reading;
        private static Fd writing;

        static synchronized Fd reading() throws ErrnoException {
            if (reading == null) {
                reading = PosixFiles.open("/dev/null", O_RDONLY | O_NOCTTY, 0);
            }
            return reading;
        }

        static synchronized Fd writing() throws ErrnoException {
            if (writing == null) {
                writing = PosixFiles.open("/dev/null", O_WRONLY | O_NOCTTY, 0);
            }
            return writing;
        }
    }

    private static Fd own(Prepared p, Fd fd) {
        p.owned.add(fd);
        return fd;
    }

}
