package dev.sockact.proxy;

import dev.sockact.event.EventLoop;
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
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * One event loop of the proxy: it accepts from every listener (the kernel
 * wakes one loop per connection, EPOLLEXCLUSIVE) and relays the connections
 * it accepted until they end.
 */
final class ProxyWorker {
    /** Copy buffer shared by all connections of this loop: one read's worth, and room for any UDP payload. */
    static final int BUFFER_SIZE = 64 * 1024;
    /** Accepts per listener wake-up: enough to drain a burst, few enough to stay fair. */
    private static final int ACCEPTS_PER_WAKEUP = 32;
    /** How long accepting pauses when out of descriptors, unless a connection closes first. */
    static final long ACCEPT_PAUSE_NANOS = 1_000_000_000L;

    private final ProxyEngine server;
    private final EventLoop loop;
    private final Executor resolverThreads;
    private final LoopCounters counters = new LoopCounters();
    private final PipePool pipes = new PipePool();
    private final MemorySegment buffer = Arena.ofAuto().allocate(BUFFER_SIZE, 4096);
    /** Small structures of one call (the sockaddrs of a PROXY header); made on first use. */
    private MemorySegment scratch;
    /** Connections given to this loop and not closed yet; written by every loop that accepts. */
    private final AtomicInteger load = new AtomicInteger();
    /** Head of the intrusive list of this loop's open connections. */
    private Connection first;
    private List<ProxyListener> listeners = List.of();
    private final List<DatagramListener> datagramListeners = new ArrayList<>();
    /** recvmmsg/sendmmsg structs of this loop's datagram listeners; made on first use. */
    private DatagramMessage datagramMessage;
    private MemorySegment datagramBuffers;
    private MemorySegment[] datagramSlots;
    private ReplyQueue replies;
    private boolean exclusive;
    private final List<Watch> listenerWatches = new ArrayList<>();
    /** Out of descriptors: not watching the listeners until a connection closes or the pause ends. */
    private boolean acceptPaused;
    private Timer resumeTimer;
    /**
     * --connection-idle-time=: a connection is closed once this many sweeps have passed without its traffic. The
     * sweep runs every idle time / (this - 1), so a quiet connection goes after between 1 and 1.25 times the idle
     * time, and traffic costs only a field write (no clock read, no timer reset).
     */
    private static final int IDLE_SWEEPS = 5;
    /** Idle sweeps so far; a connection notes it at each traffic. */
    private long idleSweeps;
    /** The next idle sweep: only while this loop has connections. */
    private Timer sweepTimer;

    ProxyWorker(ProxyEngine server, EventLoop loop, Executor resolverThreads) {
        this.server = server;
        this.loop = loop;
        this.resolverThreads = resolverThreads;
    }

    /**
     * Watches the stream listeners, and the datagram ones: the first loop reads each datagram socket itself; every
     * other loop reads a member of its own of the socket's SO_REUSEPORT group where it has one (see
     * {@link ProxyListener#group}), else leaves it to the first (a client's datagrams must all reach the loop that
     * holds its session). The TCP path stays as it was: datagram listeners are not in {@link #listeners}.
     */
    void listenOn(List<ProxyListener> listeners, boolean exclusive, boolean firstLoop) throws ErrnoException {
        List<ProxyListener> streams = new ArrayList<>();
        for (ProxyListener listener : listeners) {
            if (Sockets.type(listener.socket().fd()) != Sockets.SOCK_DGRAM) {
                streams.add(listener);
            } else if (firstLoop) {
                serveDatagrams(listener, listener.socket(), false);
            } else if (listener.group() != null) {
                Fd member;
                try {
                    member = listener.group().openMember();
                } catch (ErrnoException e) {
                    log().logger.log(System.Logger.Level.WARNING, "Failed to open another socket on "
                            + local(listener.socket().fd()) + " (SO_REUSEPORT) for one more event loop: "
                            + e.reason() + "; its datagrams are read by fewer loops.");
                    continue;
                }
                serveDatagrams(listener, member, true);
            }
        }
        this.listeners = streams;
        this.exclusive = exclusive;
        if (!datagramListeners.isEmpty()) {
            // Only a loop with a datagram socket polls: one datagram's round trip is what its client waits for. A
            // loop of stream sockets sleeps at once: one wake-up serves many segments of a connection, and polling
            // was not measured against haproxy there (bench/pairs).
            loop.pollBeforeSleeping(config().busyPollNanos());
        }
        watchListeners();
    }

    private void serveDatagrams(ProxyListener listener, Fd socket, boolean owned) throws ErrnoException {
        DatagramListener datagrams = new DatagramListener(this, listener, socket, owned);
        try {
            datagrams.start();
        } catch (ErrnoException e) {
            datagrams.closeAll();
            throw e;
        }
        datagramListeners.add(datagrams);
    }

    private void watchListeners() throws ErrnoException {
        for (ProxyListener listener : listeners) {
            listenerWatches.add(loop.watch(listener.socket().fd(), Epoll.EPOLLIN | (exclusive ? Epoll.EPOLLEXCLUSIVE : 0),
                    events -> accept(listener)));
        }
    }

    private void accept(ProxyListener listener) {
        for (int i = 0; i < ACCEPTS_PER_WAKEUP && server.isAccepting(); i++) {
            int fd = Sockets.acceptRaw(listener.socket().fd(), Sockets.SOCK_NONBLOCK);
            if (fd < 0) {
                if (Errno.isResourceExhaustion(-fd)) {
                    outOfDescriptors(-fd);
                } else if (!Errno.isAcceptAgain(-fd)) {
                    log().acceptFailed.log(System.Logger.Level.WARNING, "Failed to accept() socket: "
                            + new ErrnoException("accept4", -fd, null).reason());
                }
                return;
            }
            server.acceptRecovered();
            Fd client = Fd.adopt(fd);
            if (!server.tryAcquireSlot()) {
                // Accept and close: the client learns at once, and the backlog does not fill with the refused.
                client.close();
                counters.add(LoopCounters.Counter.REFUSED, 1);
                continue;
            }
            counters.add(LoopCounters.Counter.ACCEPTED, 1);
            if (log().isDebug()) {
                log().debug("New connection from " + peer(fd));
            }
            ProxyWorker owner = server.ownerFor(this);
            owner.load.incrementAndGet();
            TargetResolver target = listener.target();
            if (owner == this) {
                start(new Connection(this, client, target));
            } else {
                // Its slot is held meanwhile, so the idle exit cannot stop that loop before the task runs.
                owner.loop.execute(() -> owner.start(new Connection(owner, client, target)));
            }
        }
    }

    private void start(Connection connection) {
        connection.next = first;
        if (first != null) {
            first.previous = connection;
        }
        first = connection;
        TargetResolver resolver = connection.target();
        var literal = resolver.literalCandidates();
        if (literal != null) {
            connection.connect(literal);
            return;
        }
        resolverThreads.execute(() -> {
            try {
                var addresses = resolver.candidates();
                loop.execute(() -> connection.connect(addresses));
            } catch (UnknownHostException e) {
                loop.execute(() -> connection.resolveFailed("Name or service not known"));
            }
        });
    }

    /** An accept, or a client's socket towards the target, failed for want of descriptors or memory. */
    void outOfDescriptors(int errno) {
        server.acceptStarved(errno);
        pauseAccepting();
    }

    /**
     * Out of descriptors: the listeners are left alone (the clients wait in the backlog, not accepted only to be
     * dropped for want of a descriptor towards the target) until a connection of this loop closes, or
     * {@link #ACCEPT_PAUSE_NANOS} have passed (descriptors may be freed elsewhere). Retrying at once would spin:
     * the listener stays readable. EPOLLEXCLUSIVE watches cannot be modified, so they are removed and added again.
     */
    private void pauseAccepting() {
        if (acceptPaused) {
            return;
        }
        acceptPaused = true;
        listenerWatches.forEach(Watch::cancel);
        listenerWatches.clear();
        resumeTimer = loop.schedule(ACCEPT_PAUSE_NANOS, this::resumeAccepting);
    }

    private void resumeAccepting() {
        if (!acceptPaused) {
            return;
        }
        acceptPaused = false;
        if (resumeTimer != null) {
            resumeTimer.cancel();
            resumeTimer = null;
        }
        try {
            watchListeners();
        } catch (ErrnoException e) {
            // Still out of resources (epoll needs memory too): try again later.
            listenerWatches.forEach(Watch::cancel);
            listenerWatches.clear();
            acceptPaused = true;
            resumeTimer = loop.schedule(ACCEPT_PAUSE_NANOS, this::resumeAccepting);
        }
    }

    /**
     * Called once per connection, by its close(). One that was relaying gives back the descriptors a new client
     * needs; one that failed before that (perhaps for want of a descriptor) does not end a pause.
     */
    void connectionClosed(Connection connection, boolean relayed) {
        if (acceptPaused && relayed && server.isAccepting()) {
            resumeAccepting();
        }
        if (connection.previous != null) {
            connection.previous.next = connection.next;
        } else {
            first = connection.next;
        }
        if (connection.next != null) {
            connection.next.previous = connection.previous;
        }
        connection.previous = null;
        connection.next = null;
        load.decrementAndGet();
        server.releaseSlot();
    }

    long idleSweeps() {
        return idleSweeps;
    }

    /** A connection of this loop starts relaying: the idle sweep runs, if there is an idle time. */
    void relaying() {
        if (sweepTimer == null && config().connectionIdleNanos() != Long.MAX_VALUE) {
            sweepTimer = loop.schedule(sweepPeriod(), this::sweepIdle);
        }
    }

    private long sweepPeriod() {
        return Math.max(1_000_000L, config().connectionIdleNanos() / (IDLE_SWEEPS - 1));
    }

    /** Closes the connections without traffic for the idle time; runs again while any connection is left. */
    private void sweepIdle() {
        sweepTimer = null;
        idleSweeps++;
        for (Connection c = first; c != null; ) {
            Connection next = c.next;   // closing unlinks c
            c.closeIfIdle(idleSweeps, IDLE_SWEEPS, config().connectionIdleNanos());
            c = next;
        }
        if (first != null) {
            sweepTimer = loop.schedule(sweepPeriod(), this::sweepIdle);
        }
    }

    /** A new datagram client: takes a slot shared with connections (false at the limit). */
    boolean tryOpenSession(Supplier<SockAddr> client) {
        if (server.isAccepting() && server.tryAcquireSessionSlot(client)) {
            return true;
        }
        counters.add(LoopCounters.Counter.SESSIONS_REFUSED, 1);
        return false;
    }

    /** Called once per datagram session, by its close(). */
    void sessionClosed() {
        counters.add(LoopCounters.Counter.SESSIONS_CLOSED, 1);
        server.releaseSlot();
    }

    DatagramMessage datagramMessage() {
        if (datagramMessage == null) {
            datagramMessage = DatagramMessage.allocate(Arena.ofAuto());
        }
        return datagramMessage;
    }

    /** The datagram sessions' replies of this round, sent together. */
    ReplyQueue replies() {
        if (replies == null) {
            replies = new ReplyQueue(this, datagramMessage());
        }
        return replies;
    }

    /**
     * The buffers a batch of datagrams is read into: {@link DatagramMessage#BATCH} of {@link #BUFFER_SIZE} each,
     * room for any UDP payload (1 MiB, allocated by the first datagram socket of this loop).
     */
    MemorySegment datagramBuffers() {
        if (datagramBuffers == null) {
            datagramBuffers = Arena.ofAuto().allocate((long) BUFFER_SIZE * DatagramMessage.BATCH, 4096);
            datagramSlots = new MemorySegment[DatagramMessage.BATCH];
            for (int i = 0; i < datagramSlots.length; i++) {
                datagramSlots[i] = datagramBuffers.asSlice((long) BUFFER_SIZE * i, BUFFER_SIZE);
            }
        }
        return datagramBuffers;
    }

    /** The {@code i}-th of {@link #datagramBuffers}, sliced once. */
    MemorySegment datagramBuffer(int i) {
        return datagramSlots[i];
    }

    Executor resolverThreads() {
        return resolverThreads;
    }

    /** Ends every connection and datagram session (shutdown). */
    void closeAll() {
        if (sweepTimer != null) {
            sweepTimer.cancel();
            sweepTimer = null;
        }
        datagramListeners.forEach(DatagramListener::closeAll);
        while (first != null) {
            Connection c = first;
            c.close();
            if (first == c) {   // close() failed half-way: unlink it anyway, never loop forever
                first = c.next;
            }
        }
        pipes.close();
    }

    private static String peer(int fd) {
        try {
            return Sockets.peerAddress(fd).toString();
        } catch (ErrnoException e) {
            return "(unknown)";
        }
    }

    private static String local(int fd) {
        try {
            return Sockets.localAddress(fd).toString();
        } catch (ErrnoException e) {
            return "(unknown)";
        }
    }

    int load() {
        return load.get();
    }

    EventLoop loop() {
        return loop;
    }

    ProxyConfig config() {
        return server.config();
    }

    ProxyLog log() {
        return server.log();
    }

    LoopCounters counters() {
        return counters;
    }

    PipePool pipes() {
        return pipes;
    }

    MemorySegment scratch() {
        if (scratch == null) {
            scratch = Arena.ofAuto().allocate(ProxyHeader.SCRATCH_SIZE, 8);
        }
        return scratch;
    }

    MemorySegment buffer() {
        return buffer;
    }
}
