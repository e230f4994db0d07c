package dev.sockact.proxy;

import dev.sockact.event.EventLoop;
import dev.sockact.posix.Epoll;
import dev.sockact.posix.Errno;
import dev.sockact.posix.ErrnoException;
import dev.sockact.posix.Fd;
import dev.sockact.posix.Sockets;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.UnknownHostException;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One event loop of the proxy: it accepts from every listener (the kernel
 * wakes one loop per connection, EPOLLEXCLUSIVE) and relays the connections
 * it accepted until they end.
 */
final class ProxyWorker {
    private static final System.Logger LOG = System.getLogger("socket-proxyd");
    /** Copy buffer shared by all connections of this loop: one read's worth. */
    private static final int BUFFER_SIZE = 64 * 1024;
    /** Accepts per listener wake-up: enough to drain a burst, few enough to stay fair. */
    private static final int ACCEPTS_PER_WAKEUP = 32;

    private final ProxyServer server;
    private final EventLoop loop;
    private final TargetResolver resolver;
    private final Executor resolverThreads;
    private final PipePool pipes = new PipePool();
    private final MemorySegment buffer = Arena.ofAuto().allocate(BUFFER_SIZE, 4096);
    /** Connections given to this loop and not closed yet; written by every loop that accepts. */
    private final AtomicInteger load = new AtomicInteger();
    /** Head of the intrusive list of this loop's open connections. */
    private Connection first;

    ProxyWorker(ProxyServer server, EventLoop loop, TargetResolver resolver, Executor resolverThreads) {
        this.server = server;
        this.loop = loop;
        this.resolver = resolver;
        this.resolverThreads = resolverThreads;
    }

    void listenOn(List<Fd> listeners, boolean exclusive) throws ErrnoException {
        for (Fd listener : listeners) {
            loop.watch(listener.fd(), Epoll.EPOLLIN | (exclusive ? Epoll.EPOLLEXCLUSIVE : 0), events -> accept(listener));
        }
    }

    private void accept(Fd listener) {
        for (int i = 0; i < ACCEPTS_PER_WAKEUP && server.isAccepting(); i++) {
            int fd = Sockets.acceptRaw(listener.fd(), Sockets.SOCK_NONBLOCK);
            if (fd < 0) {
                if (!Errno.isAcceptAgain(-fd)) {
                    LOG.log(System.Logger.Level.WARNING, "Failed to accept() socket: " + new ErrnoException("accept4", -fd, null).reason());
                }
                return;
            }
            Fd client = Fd.adopt(fd);
            if (!server.tryAcquireSlot()) {
                // Accept and close: the client learns at once, and the backlog does not fill with the refused.
                client.close();
                continue;
            }
            if (LOG.isLoggable(System.Logger.Level.DEBUG)) {
                LOG.log(System.Logger.Level.DEBUG, "New connection from " + peer(fd));
            }
            ProxyWorker owner = server.ownerFor(this);
            owner.load.incrementAndGet();
            if (owner == this) {
                start(new Connection(this, client));
            } else {
                // Its slot is held meanwhile, so the idle exit cannot stop that loop before the task runs.
                owner.loop.execute(() -> owner.start(new Connection(owner, client)));
            }
        }
    }

    private void start(Connection connection) {
        connection.next = first;
        if (first != null) {
            first.previous = connection;
        }
        first = connection;
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

    /** Called once per connection, by its close(). */
    void connectionClosed(Connection connection) {
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

    /** Ends every connection (shutdown). */
    void closeAll() {
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

    int load() {
        return load.get();
    }

    EventLoop loop() {
        return loop;
    }

    ProxyConfig config() {
        return server.config();
    }

    PipePool pipes() {
        return pipes;
    }

    MemorySegment buffer() {
        return buffer;
    }
}
