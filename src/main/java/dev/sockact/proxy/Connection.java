package dev.sockact.proxy;

import dev.sockact.event.Timer;
import dev.sockact.event.Watch;
import dev.sockact.posix.Epoll;
import dev.sockact.posix.Errno;
import dev.sockact.posix.ErrnoException;
import dev.sockact.posix.Fd;
import dev.sockact.posix.Sockets;
import java.util.List;

/**
 * One proxied client, from accept to close. The states, in order:
 * RESOLVING (the target's addresses), CONNECTING (one address after another),
 * RETRY_WAIT (--connect-retry=: every address refused or was unreachable, so the
 * addresses are tried again after a back-off, while the client's bytes wait in
 * the kernel), RELAYING (two {@link Relay}s, one per direction), CLOSED. Every
 * path ends in {@link #close}, which gives the connection's slot back exactly once.
 *
 * <p>Kept small on purpose: an idle connection is this object, two relays,
 * two watches and two descriptors (no pipes), well under a kilobyte.
 */
final class Connection {
    enum State { RESOLVING, CONNECTING, RETRY_WAIT, RELAYING, CLOSED }

    /** --connect-retry=: the first wait after a refusal; each next one is twice as long, up to the maximum. */
    static final long FIRST_RETRY_NANOS = 1_000_000L;
    static final long MAX_RETRY_NANOS = 100_000_000L;

    /**
     * Interest in reading. RDHUP says the peer's FIN has arrived: a short read then leaves only the
     * EOF, read in the same wake-up instead of after another epoll_wait (a new connection per request
     * ends with the reply and its FIN together).
     */
    private static final int READ = Epoll.EPOLLIN | Epoll.EPOLLRDHUP;

    private final ProxyWorker worker;
    private final Fd client;
    private final TargetResolver targetResolver;
    private State state = State.RESOLVING;
    private List<TargetResolver.Candidate> candidates = List.of();
    private int nextCandidate;
    private int lastErrno;
    private Fd target;
    private Watch clientWatch;
    private Watch targetWatch;
    private Timer connectTimer;
    /** --connect-retry=: when no new round of attempts starts any more (System.nanoTime), and the next wait. */
    private long retryDeadline;
    private long retryDelay = FIRST_RETRY_NANOS;
    /** When the first attempt started (System.nanoTime): the connect latency ends at connected. */
    private long connectStarted;
    private Timer retryTimer;
    private Relay upstream;
    private Relay downstream;
    /**
     * The worker's idle sweep at this connection's last traffic ({@link ProxyWorker#idleSweeps}): a field write per
     * wake-up instead of a clock read or a timer reset per read.
     */
    private long lastActiveSweep;

    /** Neighbours in the worker's list of open connections (intrusive: no node objects). */
    Connection previous;
    Connection next;

    Connection(ProxyWorker worker, Fd client, TargetResolver target) {
        this.worker = worker;
        this.client = client;
        this.targetResolver = target;
    }

    TargetResolver target() {
        return targetResolver;
    }

    State state() {
        return state;
    }

    /** The target's addresses are known: try them in turn. */
    void connect(List<TargetResolver.Candidate> addresses) {
        if (state != State.RESOLVING) {
            return;
        }
        candidates = addresses;
        connectStarted = System.nanoTime();
        retryDeadline = connectStarted + worker.config().connectRetryNanos();
        startAttempts();
    }

    /** One round: every address in turn, within --connect-timeout=. */
    private void startAttempts() {
        state = State.CONNECTING;
        nextCandidate = 0;
        long timeout = worker.config().connectTimeoutNanos();
        if (timeout != Long.MAX_VALUE) {
            connectTimer = worker.loop().schedule(timeout, this::connectTimedOut);
        }
        connectNext();
    }

    /**
     * Every address failed with {@code errno}: with --connect-retry= and time left, and a failure that says the
     * target is not there yet (refused, no such socket file, unreachable), the next round is scheduled on the
     * loop, with a doubling back-off that never passes the deadline. Otherwise the connection fails, as without it.
     */
    private void attemptsFailed(int errno) {
        long remaining = retryDeadline - System.nanoTime();
        if (remaining <= 0 || !isRetryable(errno)) {
            connectFailed(errno);
            return;
        }
        if (connectTimer != null) {
            connectTimer.cancel();
            connectTimer = null;
        }
        state = State.RETRY_WAIT;
        if (clientWatch == null && !watchForReset()) {
            return;
        }
        long delay = Math.min(retryDelay, remaining);
        retryDelay = Math.min(retryDelay * 2, MAX_RETRY_NANOS);
        retryTimer = worker.loop().schedule(delay, () -> {
            retryTimer = null;
            if (state == State.RETRY_WAIT) {
                startAttempts();
            }
        });
    }

    /**
     * While waiting, a client that resets (or whose socket fails) ends the wait: epoll reports ERR and HUP with no
     * interest asked. A FIN alone does not: a client that half-closed may still be waiting for its answer, so the
     * wait goes on, as haproxy's does without abortonclose. False when the connection was closed instead.
     */
    private boolean watchForReset() {
        try {
            clientWatch = worker.loop().watch(client.fd(), 0, events -> {
                if (state == State.RETRY_WAIT || state == State.CONNECTING) {   // level-triggered: never ignored
                    if (worker.log().isDebug()) {
                        worker.log().debug("Client reset while waiting for " + targetResolver.target()
                                + ", connection closed.");
                    }
                    close();
                }
            });
            return true;
        } catch (ErrnoException e) {
            worker.log().watchFailed.log(System.Logger.Level.WARNING, "Failed to watch connection: " + e.getMessage());
            close();
            return false;
        }
    }

    /** The target is not (yet) listening: what a backend that is still starting answers. */
    static boolean isRetryable(int errno) {
        return errno == Errno.ECONNREFUSED.number() || errno == Errno.ENOENT.number()
                || errno == Errno.ENETUNREACH.number() || errno == Errno.EHOSTUNREACH.number()
                || errno == Errno.EHOSTDOWN.number() || errno == Errno.ENETDOWN.number()
                // A UNIX socket whose backlog is full (a backend still starting, not accepting yet).
                || errno == Errno.EAGAIN.number();
    }

    /** Resolution failed: the client is let go at once. */
    void resolveFailed(String reason) {
        worker.log().resolveFailed.log(System.Logger.Level.WARNING, "Failed to resolve host " + targetResolver.target()
                + ": " + reason);
        worker.counters().add(LoopCounters.Counter.CONNECT_FAILURES, 1);
        worker.counters().add(LoopCounters.Counter.RESOLVE_FAILURES, 1);
        close();
    }

    private void connectNext() {
        closeTarget();
        while (nextCandidate < candidates.size()) {
            TargetResolver.Candidate candidate = candidates.get(nextCandidate++);
            try {
                target = Sockets.socket(candidate.address().family(), Sockets.SOCK_STREAM | Sockets.SOCK_NONBLOCK, 0);
            } catch (ErrnoException e) {
                lastErrno = e.errno();
                continue;
            }
            int r = Sockets.connectRaw(target.fd(), candidate.encoded());
            if (r == -Errno.EINPROGRESS.number() && Sockets.isConnected(target.fd(), worker.buffer())) {
                r = 0;   // a local target has usually completed the handshake already
            }
            if (r == 0 || r == -Errno.EINPROGRESS.number()) {
                try {
                    // One registration for the target's whole life: OUT until connected, then IN.
                    targetWatch = worker.loop().watch(target.fd(), r == 0 ? READ : Epoll.EPOLLOUT, this::targetReady);
                    if (r == 0) {
                        startRelaying();
                    }
                    return;
                } catch (ErrnoException e) {
                    lastErrno = e.errno();
                }
            } else {
                lastErrno = -r;
            }
            closeTarget();
        }
        attemptsFailed(lastErrno);
    }

    private void connectFinished(int events) throws ErrnoException {
        // Writable without ERR/HUP means connected: SO_ERROR is only read on failure.
        int error = (events & (Epoll.EPOLLERR | Epoll.EPOLLHUP)) == 0 ? 0 : Sockets.pendingError(target.fd());
        if (error != 0) {
            lastErrno = error;
            connectNext();
            return;
        }
        startRelaying();
    }

    private void connectTimedOut() {
        if (state == State.CONNECTING) {
            connectFailed(Errno.ETIMEDOUT.number());
        }
    }

    private void connectFailed(int errno) {
        if (Errno.isResourceExhaustion(errno)) {
            worker.outOfDescriptors(errno);   // the next clients would meet the same fate: they wait in the backlog
        }
        worker.log().connectFailed.log(System.Logger.Level.WARNING, "Failed to connect to remote host "
                + targetResolver.target() + ": " + new ErrnoException("connect", errno, null).reason());
        worker.counters().connectFailed(errno);
        close();
    }

    private void startRelaying() {
        if (connectTimer != null) {
            connectTimer.cancel();
        }
        state = State.RELAYING;
        worker.counters().connectLatency().observeNanos(System.nanoTime() - connectStarted);
        lastActiveSweep = worker.idleSweeps();
        worker.relaying();
        upstream = new Relay(client.fd(), target.fd(), worker.pipes(), worker.buffer(), worker.counters(),
                LoopCounters.Counter.BYTES_TO_TARGET, LoopCounters.Counter.BYTES_TO_TARGET_SPLICED);
        downstream = new Relay(target.fd(), client.fd(), worker.pipes(), worker.buffer(), worker.counters(),
                LoopCounters.Counter.BYTES_TO_CLIENTS, LoopCounters.Counter.BYTES_TO_CLIENTS_SPLICED);
        upstream.pairWith(downstream);
        if (clientWatch != null) {
            clientWatch.cancel();   // the reset watch of RETRY_WAIT
        }
        try {
            clientWatch = worker.loop().watch(client.fd(), READ, this::clientReady);
        } catch (ErrnoException e) {
            worker.log().watchFailed.log(System.Logger.Level.WARNING, "Failed to watch connection: " + e.getMessage());
            close();
            return;
        }
        ProxyHeader.Version proxyProtocol = worker.config().proxyProtocol();
        if (proxyProtocol == null) {
            // The target has said nothing yet; only the client may have (its request is often waiting).
            pump(upstream, null, false);
            return;
        }
        try {
            long headerLength = ProxyHeader.writeStreamHeader(proxyProtocol, client.fd(), worker.scratch(),
                    worker.buffer());
            if (headerLength < 0) {
                // getpeername fails when the client has already gone (ENOTCONN): nothing to relay.
                throw new ErrnoException("getpeername", (int) -headerLength, null);
            }
            settle(upstream.sendFirst(headerLength));
        } catch (ErrnoException e) {
            worker.log().relayFailed.log(System.Logger.Level.WARNING, "Connection failed: " + e.getMessage());
            close();
        }
    }

    /**
     * The idle sweep: closes this connection when it has had no traffic either way since {@code sweepsWithout}
     * sweeps ago. Returns whether it did.
     */
    boolean closeIfIdle(long sweep, int sweepsWithout, long idleNanos) {
        if (state != State.RELAYING || sweep - lastActiveSweep < sweepsWithout) {
            return false;
        }
        if (worker.log().isDebug()) {
            worker.log().debug("Closing connection from " + peerOrUnknown() + ": no traffic for "
                    + java.time.Duration.ofNanos(idleNanos).toMillis() + " ms (--connection-idle-time=).");
        }
        close();
        return true;
    }

    private String peerOrUnknown() {
        try {
            return Sockets.peerAddress(client.fd()).toString();
        } catch (ErrnoException e) {
            return "(unknown)";
        }
    }

    private void clientReady(int events) {
        onReady(events, upstream, downstream);
    }

    private void targetReady(int events) throws ErrnoException {
        if (state == State.CONNECTING) {
            connectFinished(events);
        } else {
            onReady(events, downstream, upstream);
        }
    }

    /**
     * Readiness of one side: readable moves the direction it is the source of, writable the one
     * it is the sink of. Pumping only those saves a read that would return EAGAIN per event.
     */
    private void onReady(int events, Relay fromSide, Relay toSide) {
        if (state != State.RELAYING) {
            return;
        }
        // ERR is a reset. HUP alone says both directions of that socket are shut: data may
        // still wait in its receive queue behind a slow sink, so it is drained, not dropped.
        if ((events & Epoll.EPOLLERR) != 0) {
            close();
            return;
        }
        boolean peerShut = (events & (Epoll.EPOLLHUP | Epoll.EPOLLRDHUP)) != 0;
        boolean readable = peerShut || (events & Epoll.EPOLLIN) != 0;
        boolean writable = (events & Epoll.EPOLLOUT) != 0;
        pump(readable ? fromSide : null, writable ? toSide : null, peerShut);
    }

    /**
     * Moves data in the given directions (null: not this time), then ends the pair or re-arms interest.
     * {@code sourceShut}: the source of {@code first} has sent its FIN.
     */
    private void pump(Relay first, Relay second, boolean sourceShut) {
        lastActiveSweep = worker.idleSweeps();
        try {
            int errno = first != null ? first.pump(sourceShut) : 0;
            if (errno == 0 && second != null) {
                errno = second.pump(false);
            }
            settle(errno);
        } catch (ErrnoException e) {
            worker.log().relayFailed.log(System.Logger.Level.WARNING, "Connection failed: " + e.getMessage());
            close();
        }
    }

    /** After moving data ({@code errno}: 0, or what ended it): ends the pair or re-arms interest. */
    private void settle(int errno) {
        try {
            if (errno != 0) {
                if (!Errno.isDisconnect(errno)) {
                    worker.log().spliceFailed.log(System.Logger.Level.WARNING, "Failed to splice: " + new ErrnoException("splice", errno, null).reason());
                }
                close();
                return;
            }
            if (upstream.isDone() && downstream.isDone()) {
                close();
                return;
            }
            clientWatch.setInterest(armed((upstream.wantsRead() ? READ : 0) | (downstream.wantsWrite() ? Epoll.EPOLLOUT : 0)));
            targetWatch.setInterest(armed((downstream.wantsRead() ? READ : 0) | (upstream.wantsWrite() ? Epoll.EPOLLOUT : 0)));
        } catch (ErrnoException e) {
            worker.log().relayFailed.log(System.Logger.Level.WARNING, "Connection failed: " + e.getMessage());
            close();
        }
    }

    /**
     * epoll always reports HUP and ERR, whatever the interest. A side we wait on for nothing is
     * registered EPOLLONESHOT, so such an event is delivered once instead of spinning the loop;
     * the next real interest re-arms it.
     */
    private static int armed(int interest) {
        return interest == 0 ? Epoll.EPOLLONESHOT : interest;
    }

    /** Ends the connection (idempotent): watches, descriptors, pipes, and its slot. */
    void close() {
        if (state == State.CLOSED) {
            return;
        }
        boolean relayed = upstream != null;
        state = State.CLOSED;
        if (connectTimer != null) {
            connectTimer.cancel();
        }
        if (retryTimer != null) {
            retryTimer.cancel();
        }
        if (clientWatch != null) {
            clientWatch.cancelBeforeClose();
        }
        closeTarget();
        if (upstream != null) {
            upstream.release();
            downstream.release();
        }
        client.close();
        worker.connectionClosed(this, relayed);
    }

    private void closeTarget() {
        if (targetWatch != null) {
            targetWatch.cancelBeforeClose();
            targetWatch = null;
        }
        if (target != null) {
            target.close();
            target = null;
        }
    }
}
