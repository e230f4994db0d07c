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
 * datagrams to the same member, so its session is on one loop). Each client address gets a {@link DatagramSession}; a datagram is read with
 * recvmsg(2), so that the sender and, on a wildcard address, the local address it was sent to are known, and
 * replies go back with sendmsg(2) from that address.
 */
final class DatagramListener {
    /** Datagrams read per wake-up: enough to drain a burst, few enough to let the sessions' replies through. */
    private static final int DATAGRAMS_PER_WAKEUP = 64;
    /** While reading one per wake-up, every this many wake-ups drain instead, to see whether a burst has begun. */
    private static final int DRAIN_EVERY = 8;

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
     * Read one datagram per wake-up, not until EAGAIN. A client that waits for each reply (DNS, a ping-pong) leaves
     * one datagram per wake-up, and draining then costs a recvmsg that fails, one of the seven calls of a round
     * trip; under a burst the socket is drained, which saves a wake-up per datagram. Set when a drain found one
     * datagram, cleared when one found more (the level-triggered watch wakes again while datagrams wait, so
     * nothing waits longer either way).
     */
    private boolean onePerWakeup;
    private int wakeupsSinceDrain;
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

    private void readable() {
        MemorySegment buffer = worker.buffer();
        boolean drain = !onePerWakeup || ++wakeupsSinceDrain == DRAIN_EVERY;
        if (drain) {
            wakeupsSinceDrain = 0;
        }
        int limit = drain ? DATAGRAMS_PER_WAKEUP : 1;
        for (int i = 0; i < limit; i++) {
            long n = message.receive(fd, buffer, buffer.byteSize());
            if (n < 0) {
                if (n != -Errno.EINTR.number() && n != -Errno.EAGAIN.number()) {
                    worker.log().acceptFailed.log(System.Logger.Level.WARNING, "Failed to receive datagram: "
                            + new ErrnoException("recvmsg", (int) -n, null).reason());
                }
                if (drain) {
                    onePerWakeup = i <= 1;   // one datagram (or none: a wake-up another loop took) was waiting
                }
                return;
            }
            if (message.truncated()) {
                worker.counters().add(LoopCounters.Counter.DATAGRAMS_DROPPED, 1);
                continue;   // longer than any UDP payload: cannot be forwarded whole
            }
            DatagramSession session = sessions.get(probe.set(message.name(), message.nameLength()));
            if (session == null) {
                session = open();
                if (session == null) {
                    worker.counters().add(LoopCounters.Counter.DATAGRAMS_DROPPED, 1);
                    continue;
                }
            }
            session.fromClient(buffer, n);
        }
        if (drain) {
            onePerWakeup = false;   // a whole batch, and maybe more waiting: a burst
        }
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

    /** Sends a target's reply to its session's client, from the address the client wrote to: bytes or -errno. */
    long reply(MemorySegment client, int clientLength, MemorySegment source, int sourceLength, MemorySegment buffer,
               long length) {
        return message.send(fd, buffer, length, client, clientLength, source, sourceLength);
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
