package dev.sockact.proxy;

import dev.sockact.event.Timer;
import dev.sockact.event.Watch;
import dev.sockact.posix.DatagramMessage;
import dev.sockact.posix.Epoll;
import dev.sockact.posix.Errno;
import dev.sockact.posix.ErrnoException;
import dev.sockact.posix.Fd;
import dev.sockact.posix.SockAddr;
import dev.sockact.posix.Sockets;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.UnknownHostException;
import java.util.ArrayDeque;
import java.util.List;

/**
 * One client of a {@link DatagramListener}: its own socket connected to the target, so the target sees one peer
 * per client and whatever it sends on that socket goes back to this client only. The states, in order: RESOLVING
 * (a host-name target; the client's first datagrams wait, a few of them), OPEN, CLOSED. A session holds one
 * descriptor and one watch, no pipe and no thread; it ends after {@link ProxyConfig#datagramIdleNanos} without a
 * datagram in either direction. The idle timer is rescheduled lazily: a datagram only records the time, and the
 * timer, when it fires, sleeps again for what is left, so a busy session costs one timer per idle period.
 */
final class DatagramSession {
    enum State { RESOLVING, OPEN, CLOSED }

    /** Datagrams a client may send before a host-name target is resolved; more are dropped. */
    private static final int PENDING_MAX = 16;
    /**
     * Replies read per wake-up. One: a target mostly answers one datagram with one, and the read that would find
     * the socket empty is a system call per reply; epoll is level-triggered, so a socket with more is reported
     * again in the next round, with the other sessions.
     */
    private static final int DATAGRAMS_PER_WAKEUP = 1;

    private final DatagramListener listener;
    private final ProxyWorker worker;
    private final SessionKey key;
    /** The client's sockaddr, then the control message that sends from the address it wrote to. */
    private final MemorySegment client;
    private final int clientLength;
    private final MemorySegment replySource;
    private final int replySourceLength;
    /** An unbound AF_UNIX client has no address to answer to: its datagrams are forwarded, replies dropped. */
    private final boolean canReply;
    private State state = State.RESOLVING;
    private Fd target;
    private Watch targetWatch;
    private Timer idleTimer;
    private long lastActive = System.nanoTime();
    private ArrayDeque<byte[]> pending;
    /** The PROXY v2 header each datagram to the target starts with (--proxy-protocol=v2), or null. */
    private final MemorySegment header;
    private final int headerLength;

    DatagramSession(DatagramListener listener, SessionKey key, DatagramMessage first) {
        this.listener = listener;
        this.worker = listener.worker();
        this.key = key;
        this.clientLength = first.nameLength();
        MemorySegment memory = Arena.ofAuto().allocate(SockAddr.STORAGE_SIZE + DatagramMessage.REPLY_SOURCE_SIZE, 8);
        this.client = memory.asSlice(0, SockAddr.STORAGE_SIZE);
        this.replySource = memory.asSlice(SockAddr.STORAGE_SIZE, DatagramMessage.REPLY_SOURCE_SIZE);
        MemorySegment.copy(first.name(), 0, client, 0, clientLength);
        this.replySourceLength = first.replySource(replySource);
        this.canReply = clientLength > 2;   // more than sun_family
        if (worker.config().proxyProtocol() == ProxyHeader.Version.V2) {
            ProxyHeader h = listener.headerFor(first);
            headerLength = h.length();
            header = Arena.ofAuto().allocate(headerLength);
            h.copyTo(header, 0);
        } else {
            header = null;
            headerLength = 0;
        }
    }

    SessionKey key() {
        return key;
    }

    /** Connects towards the target (at once for a literal one, after resolving for a host name). */
    void start() {
        if (worker.config().datagramIdleNanos() != Long.MAX_VALUE) {
            idleTimer = worker.loop().schedule(worker.config().datagramIdleNanos(), this::idleCheck);
        }
        TargetResolver resolver = listener.target();
        var literal = resolver.literalCandidates();
        if (literal != null) {
            connect(literal);
            return;
        }
        pending = new ArrayDeque<>();
        worker.resolverThreads().execute(() -> {
            try {
                var addresses = resolver.candidates();
                worker.loop().execute(() -> connect(addresses));
            } catch (UnknownHostException e) {
                worker.loop().execute(this::resolveFailed);
            }
        });
    }

    /** A datagram from the client, in {@code buffer}: sent to the target (or kept while resolving). */
    void fromClient(MemorySegment buffer, long length) {
        lastActive = System.nanoTime();
        if (state == State.OPEN) {
            long r = sendToTarget(buffer, length);
            if (r == -Errno.ECONNREFUSED.number()) {
                // An ICMP error for an earlier datagram was reported on this send; this one was not sent yet.
                r = sendToTarget(buffer, length);
            }
            if (r < 0) {
                worker.counters().add(LoopCounters.Counter.DATAGRAMS_DROPPED, 1);
            } else {
                worker.counters().add(LoopCounters.Counter.BYTES_TO_TARGET, r - headerLength);
            }
        } else if (state == State.RESOLVING && pending.size() < PENDING_MAX) {
            pending.add(buffer.asSlice(0, length).toArray(ValueLayout.JAVA_BYTE));
        } else {
            worker.counters().add(LoopCounters.Counter.DATAGRAMS_DROPPED, 1);
        }
    }

    /** One datagram to the target: the PROXY header, if any, and the client's bytes, in one sendmsg. */
    private long sendToTarget(MemorySegment buffer, long length) {
        return header == null ? Sockets.sendRaw(target.fd(), buffer, length, Sockets.MSG_NOSIGNAL)
                : worker.datagramMessage().sendPrefixed(target.fd(), header, headerLength, buffer, length);
    }

    private void connect(List<TargetResolver.Candidate> candidates) {
        if (state != State.RESOLVING) {
            return;
        }
        int lastErrno = Errno.ENOENT.number();
        for (TargetResolver.Candidate candidate : candidates) {
            Fd fd;
            try {
                fd = Sockets.socket(candidate.address().family(), Sockets.SOCK_DGRAM | Sockets.SOCK_NONBLOCK, 0);
                if (candidate.address().family() == SockAddr.AF_UNIX) {
                    // An unbound AF_UNIX datagram socket cannot be answered: autobind gives it an abstract name.
                    Sockets.bind(fd, new SockAddr.UnixUnnamed());
                }
            } catch (ErrnoException e) {
                lastErrno = e.errno();
                continue;
            }
            int r = Sockets.connectRaw(fd.fd(), candidate.encoded());
            if (r == 0) {
                try {
                    targetWatch = worker.loop().watch(fd.fd(), Epoll.EPOLLIN, events -> fromTarget());
                } catch (ErrnoException e) {
                    fd.close();
                    lastErrno = e.errno();
                    continue;
                }
                target = fd;
                state = State.OPEN;
                flushPending();
                return;
            }
            fd.close();
            lastErrno = -r;
        }
        if (Errno.isResourceExhaustion(lastErrno)) {
            worker.outOfDescriptors(lastErrno);
        }
        worker.log().connectFailed.log(System.Logger.Level.WARNING, "Failed to connect to remote host "
                + listener.target().target() + ": " + new ErrnoException("connect", lastErrno, null).reason());
        worker.counters().connectFailed(lastErrno);
        close();
    }

    private void resolveFailed() {
        worker.log().resolveFailed.log(System.Logger.Level.WARNING, "Failed to resolve host "
                + listener.target().target() + ": Name or service not known");
        worker.counters().add(LoopCounters.Counter.CONNECT_FAILURES, 1);
        worker.counters().add(LoopCounters.Counter.RESOLVE_FAILURES, 1);
        close();
    }

    private void flushPending() {
        if (pending == null) {
            return;
        }
        MemorySegment buffer = worker.buffer();
        for (byte[] datagram : pending) {
            MemorySegment.copy(datagram, 0, buffer, ValueLayout.JAVA_BYTE, 0, datagram.length);
            long saved = lastActive;
            fromClient(buffer, datagram.length);
            lastActive = saved;
        }
        pending = null;
    }

    /** The target's socket is readable (or has an ICMP error to report, which a read clears). */
    private void fromTarget() {
        if (state != State.OPEN) {
            return;
        }
        ReplyQueue replies = worker.replies();
        for (int i = 0; i < DATAGRAMS_PER_WAKEUP; i++) {
            long n = replies.read(target.fd());   // queued only if it can be answered
            if (n < 0) {
                if (n == -Errno.EAGAIN.number()) {
                    return;
                }
                // ECONNREFUSED and the like: the target is not there (yet); the session waits for the next datagram.
                continue;
            }
            lastActive = System.nanoTime();
            if (!canReply) {
                worker.counters().add(LoopCounters.Counter.DATAGRAMS_DROPPED, 1);
                continue;
            }
            listener.reply(client, clientLength, replySource, replySourceLength, n);   // counted once it is sent
        }
    }

    private void idleCheck() {
        if (state == State.CLOSED) {
            return;
        }
        long idle = worker.config().datagramIdleNanos();
        long remaining = idle - (System.nanoTime() - lastActive);
        if (remaining > 0) {
            idleTimer = worker.loop().schedule(remaining, this::idleCheck);
            return;
        }
        worker.counters().add(LoopCounters.Counter.SESSIONS_EXPIRED, 1);
        if (worker.log().isDebug()) {
            worker.log().debug("Session of " + clientText() + " idle for " + idle / 1_000_000 + " ms, closed.");
        }
        close();
    }

    private String clientText() {
        try {
            return SockAddr.decode(client, clientLength).toString();
        } catch (IllegalArgumentException e) {
            return "(unknown)";
        }
    }

    /** Ends the session (idempotent): its timer, watch, descriptor and slot. */
    void close() {
        if (state == State.CLOSED) {
            return;
        }
        state = State.CLOSED;
        if (idleTimer != null) {
            idleTimer.cancel();
        }
        if (targetWatch != null) {
            targetWatch.cancelBeforeClose();
        }
        if (target != null) {
            target.close();
        }
        listener.sessionClosed(this);
    }
}
