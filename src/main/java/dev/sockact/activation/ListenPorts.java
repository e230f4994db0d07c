package dev.sockact.activation;

import dev.sockact.posix.Errno;
import dev.sockact.posix.ErrnoException;
import dev.sockact.posix.Fd;
import dev.sockact.posix.Io;
import dev.sockact.posix.MessageQueues;
import dev.sockact.posix.Pipes;
import dev.sockact.posix.PosixFiles;
import dev.sockact.posix.SockAddr;
import dev.sockact.posix.Sockets;
import dev.sockact.unit.ListenSpec;
import dev.sockact.unit.SocketKind;
import dev.sockact.unit.SocketUnit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Opens one Listen*= port of a socket unit the way systemd's socket_open_fds() does, for every kind: sockets
 * (stream, datagram, seqpacket over IPv4, IPv6, AF_UNIX path and abstract, vsock), netlink, FIFOs, special files
 * and POSIX message queues. Every fd is CLOEXEC and non-blocking.
 */
public final class ListenPorts {
    static final int O_RDONLY = 0;
    static final int O_RDWR = 2;
    static final int O_NOCTTY = 0x100;
    private static final int S_IFMT = 0170000;
    private static final int S_IFIFO = 0010000;
    private static final int S_IFREG = 0100000;
    private static final int S_IFCHR = 0020000;

    private ListenPorts() {
        throw new AssertionError();
    }

    /**
     * An open port.
     *
     * @param warnings options the kernel refused (the port is open all the same)
     */
    public record OpenPort(ListenSpec spec, Fd fd, List<OptionFailure> warnings) {
        public OpenPort {
            warnings = List.copyOf(warnings);
        }
    }

    /** Opens {@code spec} with {@code unit}'s settings; fatal failures throw, refused options are warnings. */
    public static OpenPort open(ListenSpec spec, SocketUnit unit) throws IOException {
        List<OptionFailure> warnings = new ArrayList<>();
        Fd fd = switch (spec) {
            case ListenSpec.Inet s -> socket(spec, s.kind(), unit, warnings);
            case ListenSpec.UnixPath s -> socket(spec, s.kind(), unit, warnings);
            case ListenSpec.UnixAbstract s -> socket(spec, s.kind(), unit, warnings);
            case ListenSpec.Vsock s -> socket(spec, s.kind(), unit, warnings);
            case ListenSpec.Netlink s -> netlink(s, unit, warnings);
            case ListenSpec.Fifo s -> fifo(s, unit);
            case ListenSpec.Special s -> special(s, unit);
            case ListenSpec.MessageQueue s -> ListenSockets.underUmask(unit.socketMode(), () ->
                    MessageQueues.open(s.name(), unit.socketMode(), unit.options().messageQueueMaxMessages(),
                            unit.options().messageQueueMessageSize()));
            case ListenSpec.UsbFunction s -> throw new IOException("ListenUSBFunction=" + s.path()
                    + " is not supported by sockact (FunctionFS endpoints are not implemented)");
        };
        return new OpenPort(spec, fd, warnings);
    }

    private static Fd socket(ListenSpec spec, SocketKind kind, SocketUnit unit, List<OptionFailure> warnings)
            throws IOException {
        SockAddr address = address(spec);
        int type = switch (kind) {
            case STREAM -> Sockets.SOCK_STREAM;
            case DATAGRAM -> Sockets.SOCK_DGRAM;
            case SEQPACKET -> Sockets.SOCK_SEQPACKET;
        };
        int backlog = (int) Math.min(Integer.MAX_VALUE, unit.options().backlog());
        ListenSockets.Options options = new ListenSockets.Options(type, backlog, null,
                unit.socketMode(), unit.directoryMode());
        SocketOptionsApplier applier = new SocketOptionsApplier(unit.options(), address.family(),
                spec.addressText(), warnings);
        Fd fd = ListenSockets.open(address, options, SocketOptionsApplier.protocol(unit.options()),
                applier::beforeBind);
        try {
            Io.setNonBlocking(fd.fd(), true);
        } catch (ErrnoException e) {
            fd.close();
            throw e;
        }
        applier.afterOpen(fd);
        return fd;
    }

    private static Fd netlink(ListenSpec.Netlink spec, SocketUnit unit, List<OptionFailure> warnings)
            throws IOException {
        Fd fd = Sockets.socket(SockAddr.AF_NETLINK, Sockets.SOCK_RAW | Sockets.SOCK_NONBLOCK, spec.protocol());
        try {
            Sockets.bind(fd, address(spec));
            new SocketOptionsApplier(unit.options(), SockAddr.AF_NETLINK, spec.addressText(), warnings).afterOpen(fd);
            return fd;
        } catch (IOException | RuntimeException e) {
            fd.close();
            throw e;
        }
    }

    private static SockAddr address(ListenSpec spec) throws IOException {
        try {
            return ListenAddress.of(spec);
        } catch (InvalidAddressException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    /** mkfifo with SocketMode= (an existing FIFO is reused), opened O_RDWR so it never sees EOF; PipeSize=. */
    private static Fd fifo(ListenSpec.Fifo spec, SocketUnit unit) throws IOException {
        String path = spec.path().toString();
        Path parent = spec.path().getParent();
        if (parent != null) {
            ListenSockets.makeDirectories(parent, unit.directoryMode());
        }
        ListenSockets.underUmask(unit.socketMode(), () -> {
            try {
                PosixFiles.mkfifo(path, unit.socketMode());
            } catch (ErrnoException e) {
                if (e.errno() != Errno.EEXIST.number()) {
                    throw e;
                }
            }
            return null;
        });
        if (fileType(spec.path()) != S_IFIFO) {
            throw new ErrnoException("mkfifo", Errno.EEXIST.number(), path);
        }
        Fd fd = PosixFiles.open(path, O_RDWR | O_NOCTTY | Io.O_NONBLOCK, 0);
        if (unit.options().pipeSize() > 0) {
            try {
                Pipes.setCapacity(fd, (int) Math.min(Integer.MAX_VALUE, unit.options().pipeSize()));
            } catch (ErrnoException e) {
                fd.close();
                throw e;
            }
        }
        return fd;
    }

    /** ListenSpecial=: a regular file or character device, read-write only with Writable=yes. */
    private static Fd special(ListenSpec.Special spec, SocketUnit unit) throws IOException {
        String path = spec.path().toString();
        Fd fd = PosixFiles.open(path, (unit.writable() ? O_RDWR : O_RDONLY) | O_NOCTTY | Io.O_NONBLOCK, 0);
        int type = fileType(spec.path());
        if (type != S_IFREG && type != S_IFCHR) {
            fd.close();
            throw new ErrnoException("open", Errno.EEXIST.number(), path + ": not a regular file or character device");
        }
        return fd;
    }

    private static int fileType(Path path) throws IOException {
        try {
            return ((Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS)) & S_IFMT;
        } catch (UnsupportedOperationException e) {
            throw new IOException("cannot read the file type of " + path, e);
        }
    }
}
