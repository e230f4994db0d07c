package dev.sockact.daemon;

import dev.sockact.ctl.ControlCodec;
import dev.sockact.ctl.ControlProtocol;
import dev.sockact.ctl.Reply;
import dev.sockact.ctl.Request;
import dev.sockact.event.EventLoop;
import dev.sockact.event.Timer;
import dev.sockact.event.Watch;
import dev.sockact.log.RateLimitedLog;
import dev.sockact.posix.Epoll;
import dev.sockact.posix.Errno;
import dev.sockact.posix.ErrnoException;
import dev.sockact.posix.Fd;
import dev.sockact.posix.Io;
import dev.sockact.posix.Processes;
import dev.sockact.posix.Sockets;

import java.io.ByteArrayOutputStream;
import java.lang.System.Logger.Level;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Serves the control protocol ({@link ControlProtocol}) on the control socket, on the manager's loop: each
 * connection sends one request line and gets one reply line. SO_PEERCRED decides what a peer may do: root and the
 * user sockactd runs as may change state, others may only read.
 *
 * <p>Idle or slow peers cannot keep others out. At most {@link #MAX_CLIENTS} connections are served at once, at most
 * {@link #MAX_CLIENTS_PER_UID} of one user and {@link #MAX_CLIENTS_PER_PROCESS} of one process (SO_PEERCRED); a
 * connection that finds a limit reached takes the place of the oldest connection under that limit that has sent
 * nothing yet, which is closed, and gets the busy reply only when each of those is busy with a request. So one
 * process holding connections competes only with itself. A connection must send its first byte within
 * {@link #FIRST_BYTE_TIMEOUT_NANOS} and its whole request, of at most {@link ControlProtocol#MAX_REQUEST} bytes,
 * within {@link #REQUEST_TIMEOUT_NANOS}, and read its reply within as long again. sockctl sends its request as soon
 * as it is connected, so a command gets through however many idle connections are held, by whatever user.
 */
final class ControlServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("sockactd");
    static final int MAX_CLIENTS = 256;
    static final int MAX_CLIENTS_PER_UID = 64;
    static final int MAX_CLIENTS_PER_PROCESS = 16;
    static final long FIRST_BYTE_TIMEOUT_NANOS = 1_000_000_000L;
    static final long REQUEST_TIMEOUT_NANOS = 10_000_000_000L;

    private final EventLoop loop;
    private final Fd listener;
    private final ControlCommands commands;
    /** In the order they were accepted: the first waiting one is the oldest. */
    private final List<Client> clients = new ArrayList<>();
    private final MemorySegment readBuffer = Arena.ofAuto().allocate(8192);
    private Watch watch;

    ControlServer(Manager manager, Fd listener) {
        this.loop = manager.loop();
        this.listener = listener;
        this.commands = new ControlCommands(manager);
    }

    void start() throws ErrnoException {
        Io.setNonBlocking(listener.fd(), true);
        watch = loop.watch(listener.fd(), Epoll.EPOLLIN, events -> acceptAll());
    }

    private void acceptAll() {
        while (true) {
            int fd = Sockets.acceptRaw(listener.fd(), Sockets.SOCK_NONBLOCK);
            if (fd < 0) {
                if (fd == -Errno.EINTR.number() || Errno.isAcceptAgain(-fd) && fd != -Errno.EAGAIN.number()) {
                    continue;
                }
                return;
            }
            Fd connection = Fd.adopt(fd);
            Sockets.PeerCredentials peer;
            try {
                peer = Sockets.peerCredentials(fd);
            } catch (ErrnoException e) {
                LOG.log(Level.DEBUG, () -> "Control connection dropped: " + e.getMessage());
                connection.close();
                continue;
            }
            if (!makeRoomFor(peer)) {
                byte[] busy = failure("Too many control connections (" + clients.size() + "), try again.");
                Io.writeRaw(fd, segment(busy), busy.length);
                connection.close();
                continue;
            }
            try {
                boolean privileged = peer.uid() == 0 || peer.uid() == Processes.uid();
                clients.add(new Client(connection, peer, privileged));
            } catch (ErrnoException e) {
                LOG.log(Level.DEBUG, () -> "Control connection dropped: " + e.getMessage());
                connection.close();
            }
        }
    }

    /**
     * Whether a new connection of {@code peer} can be served: below every limit, or once the oldest connection that
     * has sent nothing (of the same process at the per-process limit, of the same user at the per-user limit) is
     * closed for it.
     */
    private boolean makeRoomFor(Sockets.PeerCredentials peer) {
        Limit limit = limitReached(peer);
        if (limit == null) {
            return true;
        }
        limit.log.log(Level.WARNING, limit.message(peer) + ", closing the oldest that has not sent a request for"
                + " each new one.");
        for (Client c : List.copyOf(clients)) {
            if (!c.waitingForRequest() || !limit.covers(c.peer, peer)) {
                continue;
            }
            // What it sent may not have been read yet (this loop was busy accepting): a connection with a request
            // on its way is not idle, however old.
            c.readable(0);
            if (c.waitingForRequest() && c.request.size() == 0) {
                c.close();
                return true;
            }
        }
        return false;
    }

    /** The bounds on control connections, innermost first. */
    private enum Limit {
        PER_PROCESS(MAX_CLIENTS_PER_PROCESS), PER_USER(MAX_CLIENTS_PER_UID), TOTAL(MAX_CLIENTS);

        final int bound;
        /** A limit is reached again with every new connection of a holding peer: once per 10 s is enough. */
        final RateLimitedLog log = new RateLimitedLog(LOG, 10_000_000_000L, 1, System::nanoTime);

        Limit(int bound) {
            this.bound = bound;
        }

        /** Whether {@code c} counts towards this limit for a connection of {@code peer}. */
        boolean covers(Sockets.PeerCredentials c, Sockets.PeerCredentials peer) {
            return switch (this) {
                case PER_PROCESS -> c.pid() == peer.pid() && c.uid() == peer.uid();
                case PER_USER -> c.uid() == peer.uid();
                case TOTAL -> true;
            };
        }

        String message(Sockets.PeerCredentials peer) {
            return switch (this) {
                case PER_PROCESS -> "Control connections of PID " + peer.pid() + " at their limit (" + bound + ")";
                case PER_USER -> "Control connections of UID " + peer.uid() + " at their limit (" + bound + ")";
                case TOTAL -> "Control connections at their limit (" + bound + ")";
            };
        }
    }

    private Limit limitReached(Sockets.PeerCredentials peer) {
        for (Limit limit : Limit.values()) {
            if (clients.stream().filter(c -> limit.covers(c.peer, peer)).count() >= limit.bound) {
                return limit;
            }
        }
        return null;
    }

    private static byte[] encode(Reply reply) {
        return (ControlCodec.encode(reply) + "\n").getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] failure(String message) {
        return encode(new Reply.Failure(ControlProtocol.FAILURE, message));
    }

    private static MemorySegment segment(byte[] bytes) {
        MemorySegment s = Arena.ofAuto().allocate(Math.max(1, bytes.length));
        MemorySegment.copy(bytes, 0, s, ValueLayout.JAVA_BYTE, 0, bytes.length);
        return s;
    }

    @Override
    public void close() {
        if (watch != null) {
            watch.cancel();
        }
        for (Client c : List.copyOf(clients)) {
            c.close();
        }
    }

    /** One connection: reading its request, waiting for its job, or writing its reply. */
    private final class Client {
        private final Fd fd;
        private final Sockets.PeerCredentials peer;
        private final boolean privileged;
        private final ByteArrayOutputStream request = new ByteArrayOutputStream();
        private Watch watch;
        private Timer timeout;
        private MemorySegment out;
        private long outDone;
        private boolean closed;

        Client(Fd fd, Sockets.PeerCredentials peer, boolean privileged) throws ErrnoException {
            this.fd = fd;
            this.peer = peer;
            this.privileged = privileged;
            this.watch = loop.watch(fd.fd(), Epoll.EPOLLIN, this::readable);
            this.timeout = loop.schedule(FIRST_BYTE_TIMEOUT_NANOS, this::firstByteDue);
        }

        /** Not yet answering: no complete request read. These are the connections an idle peer holds. */
        boolean waitingForRequest() {
            return out == null && watch != null && !closed;
        }

        private void firstByteDue() {
            timeout = null;
            if (!waitingForRequest()) {
                return;
            }
            if (request.size() == 0) {
                LOG.log(Level.DEBUG, "Control connection sent nothing in time, closing it.");
                close();
                return;
            }
            timeout = loop.schedule(REQUEST_TIMEOUT_NANOS - FIRST_BYTE_TIMEOUT_NANOS, () -> {
                timeout = null;
                if (waitingForRequest()) {
                    LOG.log(Level.DEBUG, "Control connection timed out before a request.");
                    close();
                }
            });
        }

        private void readable(int events) {
            while (out == null && !closed) {
                long n = Io.readRaw(fd.fd(), readBuffer, readBuffer.byteSize());
                if (n == -Errno.EINTR.number()) {
                    continue;
                }
                if (n == -Errno.EAGAIN.number()) {
                    return;
                }
                if (n <= 0) {
                    close();
                    return;
                }
                for (long i = 0; i < n; i++) {
                    byte b = readBuffer.get(ValueLayout.JAVA_BYTE, i);
                    if (b == '\n') {
                        request(request.toString(StandardCharsets.UTF_8));
                        return;
                    }
                    request.write(b);
                    if (request.size() >= ControlProtocol.MAX_REQUEST) {
                        send(failure("Request too long (more than " + ControlProtocol.MAX_REQUEST + " bytes)."));
                        return;
                    }
                }
            }
        }

        private void request(String line) {
            watch.cancel();
            watch = null;
            if (timeout != null) {
                timeout.cancel();
                timeout = null;
            }
            Request r;
            try {
                r = ControlCodec.decodeRequest(line);
            } catch (ControlCodec.ProtocolException e) {
                send(failure(e.getMessage()));
                return;
            }
            commands.handle(r, privileged, peer.uid(), reply -> send(encode(reply)));
        }

        private void send(byte[] bytes) {
            if (closed || out != null) {
                return;
            }
            out = segment(bytes);
            outDone = 0;
            if (watch != null) {
                watch.cancel();
                watch = null;
            }
            writable(0);
            if (!closed && timeout == null) {
                // A peer that does not read its reply would hold its connection, and a slot, for ever.
                timeout = loop.schedule(REQUEST_TIMEOUT_NANOS, () -> {
                    timeout = null;
                    LOG.log(Level.DEBUG, "Control connection did not read its reply in time, closing it.");
                    close();
                });
            }
        }

        private void writable(int events) {
            while (outDone < out.byteSize()) {
                long n = Io.writeRaw(fd.fd(), out.asSlice(outDone), out.byteSize() - outDone);
                if (n == -Errno.EINTR.number()) {
                    continue;
                }
                if (n == -Errno.EAGAIN.number()) {
                    if (watch == null) {
                        try {
                            watch = loop.watch(fd.fd(), Epoll.EPOLLOUT, this::writable);
                        } catch (ErrnoException e) {
                            close();
                        }
                    }
                    return;
                }
                if (n < 0) {
                    close();
                    return;
                }
                outDone += n;
            }
            close();
        }

        void close() {
            if (closed) {
                return;
            }
            closed = true;
            if (watch != null) {
                watch.cancel();
                watch = null;
            }
            if (timeout != null) {
                timeout.cancel();
                timeout = null;
            }
            fd.close();
            clients.remove(this);
        }
    }
}
