package dev.sockact.proxy;

import dev.sockact.event.Watch;
import dev.sockact.posix.DatagramMessage;
import dev.sockact.posix.Epoll;
import dev.sockact.posix.Errno;
import dev.sockact.posix.ErrnoException;
import dev.sockact.posix.Fd;
import dev.sockact.posix.SockAddr;
import dev.sockact.posix.Sockets;
import java.lang.foreign.MemorySegment;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;

/**
 * A datagram socket the proxy listens on, read by one loop: the first loop reads the socket the host gave, and each
 * other loop a member of its SO_REUSEPORT group where the host made one (the kernel sends all of a client's
 * datagrams to the same member, so its session is on one loop). Each client address gets a {@link DatagramSession};
 * datagrams are read with recvmmsg(2), so that the sender and, on a wildcard address, the local address each was
 * sent to are known, and replies go back from that address, a round's together ({@link ReplyQueue}).
 */
final class DatagramListener {
    /** Datagrams read per wake-up: enough to drain a burst, few enough to let the sessions' replies through. */
    private static final int DATAGRAMS_PER_WAKEUP = 64;

    private final ProxyWorker worker;
    private final ProxyListener listener;
    private final int fd;
    /** The socket read, when it is a member this loop opened (and closes), not the host's. */
    private final Fd owned;
    private final DatagramMessage message;
    private final Map<SessionKey, DatagramSession> sessions = new HashMap<>();
    private final SessionKey probe = SessionKey.probe(SockAddr.STORAGE_SIZE);
    private Watch watch;
    /**
     * The loop's round in which this socket was last read. A client that waits for each reply (DNS, a ping-pong)
     * makes the socket readable every other round at most (its datagram, then the target's reply), with one datagram
     * waiting: a batch's recvmmsg would then try a second one that finds the socket empty, 3-5 % of the rate with
     * one client (bench/UDP-RESULTS.md). Readable in consecutive rounds, the socket is under a stream of datagrams,
     * and a batch saves a system call for each one after the first.
     */
    private long lastRound = -2;
    /** The listener's own address: the local address of a PROXY header when the datagram brought no packet info. */
    private SockAddr local;

    DatagramListener(ProxyWorker worker, ProxyListener listener, Fd socket, boolean owned) {
        this.worker = worker;
        this.listener = listener;
        this.fd = socket.fd();
        this.owned = owned ? socket : null;
        this.message = worker.datagramMessage();
    }

    /** Asks for packet info on a wildcard address (the reply must come from the address the client wrote to). */
    void start() throws ErrnoException {
        local = Sockets.localAddress(fd);
        if (local instanceof SockAddr.In4 in4 && in4.address().isAnyLocalAddress()) {
            Sockets.setIntOption(fd, Sockets.IPPROTO_IP, Sockets.IP_PKTINFO, 1);
        } else if (local instanceof SockAddr.In6 in6 && in6.address().isAnyLocalAddress()) {
            // IPv4 on a dual-stack socket comes with a v4-mapped IPV6_PKTINFO too.
            Sockets.setIntOption(fd, Sockets.IPPROTO_IPV6, Sockets.IPV6_RECVPKTINFO, 1);
        }
        watch = worker.loop().watch(fd, Epoll.EPOLLIN, events -> readable());
    }

    /**
     * The PROXY v2 header for the sender of the datagram just read: its address, and the local address it wrote
     * to (from the packet info on a wildcard listener, else the listener's own), transport DGRAM.
     */
    ProxyHeader headerFor(DatagramMessage first) {
        SockAddr client = first.sender();
        SockAddr to = local;
        byte[] destination = first.destination();
        try {
            if (destination != null && local instanceof SockAddr.In4 in4 && destination.length == 4) {
                to = new SockAddr.In4((Inet4Address) InetAddress.getByAddress(destination), in4.port());
            } else if (destination != null && local instanceof SockAddr.In6 in6 && destination.length == 16) {
                to = new SockAddr.In6(Inet6Address.getByAddress(null, destination, -1), in6.port(), 0);
            }
        } catch (UnknownHostException e) {
            to = local;   // cannot happen for 4 or 16 bytes
        }
        return ProxyHeader.v2(client, to, ProxyHeader.Transport.DGRAM);
    }

    TargetResolver target() {
        return listener.target();
    }

    ProxyWorker worker() {
        return worker;
    }

    /**
     * Reads what waits with recvmmsg: one datagram, or under a stream (see {@link #lastRound}) batches of
     * {@link DatagramMessage#BATCH}, at most {@link #DATAGRAMS_PER_WAKEUP}; then the sessions' replies get their turn
     * (the watch is level-triggered, so what is left is reported again in the next round).
     */
    private void readable() {
        MemorySegment buffers = worker.datagramBuffers();
        long round = worker.loop().rounds();
        boolean batch = round == lastRound + 1;
        lastRound = round;
        int count = batch ? DatagramMessage.BATCH : 1;
        for (int read = 0; read < DATAGRAMS_PER_WAKEUP; ) {
            int n = message.receive(fd, buffers, ProxyWorker.BUFFER_SIZE, count);
            if (n < 0) {
                if (n != -Errno.EINTR.number() && n != -Errno.EAGAIN.number()) {
                    worker.log().acceptFailed.log(System.Logger.Level.WARNING, "Failed to receive datagram: "
                            + new ErrnoException("recvmmsg", -n, null).reason());
                }
                return;
            }
            for (int i = 0; i < n; i++) {
                message.select(i);
                forward(worker.datagramBuffer(i), message.length());
            }
            if (!batch || n < count) {
                return;   // the one datagram, or the socket is empty
            }
            read += n;
        }
    }

    /** The selected datagram of the batch, in {@code buffer}, to its client's session (opened for a new client). */
    private void forward(MemorySegment buffer, long length) {
        if (message.truncated()) {
            worker.counters().add(LoopCounters.Counter.DATAGRAMS_DROPPED, 1);
            return;   // longer than any UDP payload: cannot be forwarded whole
        }
        DatagramSession session = sessions.get(probe.set(message.name(), message.nameLength()));
        if (session == null) {
            session = open();
            if (session == null) {
                worker.counters().add(LoopCounters.Counter.DATAGRAMS_DROPPED, 1);
                return;
            }
        }
        session.fromClient(buffer, length);
    }

    /** A session for the sender of the datagram just read, or null at the limit (the datagram is dropped). */
    private DatagramSession open() {
        if (!worker.tryOpenSession(message::sender)) {
            return null;
        }
        DatagramSession session = new DatagramSession(this, probe.copy(), message);
        sessions.put(session.key(), session);
        worker.counters().add(LoopCounters.Counter.SESSIONS_OPENED, 1);
        session.start();
        return session;
    }

    /**
     * Queues a target's reply, which {@link ReplyQueue#read} just read, for its session's client, from the address
     * the client wrote to: it goes out with the round's other replies.
     */
    void reply(MemorySegment client, int clientLength, MemorySegment source, int sourceLength, long length) {
        worker.replies().add(fd, length, client, clientLength, source, sourceLength);
    }

    /** Called once per session, by its close(). */
    void sessionClosed(DatagramSession session) {
        sessions.remove(session.key());
        worker.sessionClosed();
    }

    /** Ends every session (shutdown). */
    void closeAll() {
        if (watch != null) {
            watch.cancel();
        }
        new ArrayList<>(sessions.values()).forEach(DatagramSession::close);
        if (owned != null) {
            owned.close();
        }
    }
}
