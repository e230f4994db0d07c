package dev.sockact.proxy;

import dev.sockact.activation.SdNotify;
import dev.sockact.event.EventLoop;
import dev.sockact.log.RateLimitedLog;
import dev.sockact.posix.Errno;
import dev.sockact.posix.ErrnoException;
import dev.sockact.posix.Fd;
import dev.sockact.posix.Processes;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The forwarder: listeners, event loops, the connection limit, the idle exit
 * and the service-manager notifications. {@link #run} returns the exit status.
 */
public final class ProxyServer {
    private static final System.Logger LOG = System.getLogger("socket-proxyd");
    private static final RateLimitedLog HANDLER_FAILED = new RateLimitedLog(LOG);
    /** A shortage of descriptors and its end: logged once each, but a shortage can come and go many times. */
    private static final RateLimitedLog STARVED = new RateLimitedLog(LOG);

    private final ProxyConfig config;
    /** Shared by every loop's worker; a literal target is resolved and encoded by the constructor. */
    private final TargetResolver resolver;
    /** Set by {@link #run} before any loop runs. */
    private List<Fd> listeners = List.of();
    private final AtomicInteger open = new AtomicInteger();
    /** When the last connection closed (System.nanoTime), or -1 while any is open. */
    private final AtomicLong idleSince = new AtomicLong();
    private final AtomicBoolean limitLogged = new AtomicBoolean();
    /** Accepting failed for want of descriptors (logged once), until an accept succeeds again. */
    private final AtomicBoolean acceptStarved = new AtomicBoolean();
    /** At most one idle check is pending, however many times the count drops to zero. */
    private final AtomicBoolean idleCheckScheduled = new AtomicBoolean();
    /** Written by the first loop (when it starts the others), read from any thread (accept, stop). */
    private final List<ProxyWorker> workers = new CopyOnWriteArrayList<>();
    private final List<Thread> moreLoopThreads = new CopyOnWriteArrayList<>();
    /** The loops beyond the first start once two connections are open at the same time (see {@link #run}). */
    private final AtomicBoolean moreLoopsStarted = new AtomicBoolean();
    private volatile boolean accepting = true;
    private Executor resolverThreads;
    private Optional<SdNotify> notify = Optional.empty();

    /**
     * Resolves a literal target (address parsing, the JDK's network set-up) before the listeners are read: a
     * socket-activated start does it while the native layer links on its warm-up thread, which the listeners wait
     * for (4-8 ms of a cold start).
     */
    public ProxyServer(ProxyConfig config) {
        this.config = config;
        this.resolver = new TargetResolver(config.target());
    }

    ProxyConfig config() {
        return config;
    }

    boolean isAccepting() {
        return accepting;
    }

    /** Takes a connection slot; false (and logged once per burst) at the limit. Exact: never max + 1. */
    boolean tryAcquireSlot() {
        while (true) {
            int n = open.get();
            if (n >= config.connectionsMax()) {
                if (limitLogged.compareAndSet(false, true)) {
                    LOG.log(System.Logger.Level.WARNING, "Hit connection limit (" + config.connectionsMax()
                            + "), refusing connection.");
                }
                return false;
            }
            if (open.compareAndSet(n, n + 1)) {
                idleSince.set(-1);
                if (n >= 1 && config.threads() > 1 && moreLoopsStarted.compareAndSet(false, true)) {
                    // Only the first loop accepts before this, so this is its thread. The others are started
                    // now, not after the burst being accepted, so the rest of the burst can be spread already.
                    startMoreLoops();
                }
                return true;
            }
        }
    }

    /** An accept failed with EMFILE, ENFILE, ENOBUFS or ENOMEM: logged once, with the bound, until it clears. */
    void acceptStarved(int errno) {
        if (acceptStarved.compareAndSet(false, true)) {
            long limit = Processes.openFilesLimit();
            String bound = errno == Errno.EMFILE.number() && limit >= 0
                    ? ", at the limit of " + limit + " open files (RLIMIT_NOFILE)" : "";
            STARVED.log(System.Logger.Level.WARNING, "Out of descriptors: "
                    + new ErrnoException("accept4", errno, null).reason() + bound
                    + "; accepting again when a connection closes.");
        }
    }

    /** An accept succeeded: the end of a shortage of descriptors is logged. */
    void acceptRecovered() {
        if (acceptStarved.get() && acceptStarved.compareAndSet(true, false)) {
            STARVED.log(System.Logger.Level.INFO, "Accepting connections again.");
        }
    }

    void releaseSlot() {
        int n = open.decrementAndGet();
        if (n < config.connectionsMax()) {
            limitLogged.set(false);
        }
        if (n == 0) {
            idleSince.set(System.nanoTime());
            scheduleIdleCheck(config.exitIdleNanos());
        }
    }

    /**
     * The loop that serves a connection {@code acceptor} has just accepted: the acceptor itself, unless
     * another loop serves fewer connections. EPOLLEXCLUSIVE wakes an idle loop, which then accepts
     * the whole burst waiting in the backlog: clients that open their connections together (a pool of
     * keep-alive connections) would otherwise stay where the burst landed, one loop busy and the others
     * idle, for as long as they live. The load counted is the connections given to each loop.
     */
    ProxyWorker ownerFor(ProxyWorker acceptor) {
        ProxyWorker least = acceptor;
        for (ProxyWorker worker : workers) {
            if (worker.load() < least.load()) {
                least = worker;
            }
        }
        return least;
    }

    /** Stops accepting and makes {@link #run} return; safe from any thread (a signal handler). */
    public void stop() {
        accepting = false;
        notify.ifPresent(n -> sendQuietly(n, "STOPPING=1"));
        workers.forEach(w -> w.loop().stop());
    }

    /**
     * Serves until stopped or idle; returns the exit status (0).
     *
     * <p>The first loop starts at once; the others (--threads=) only once two connections are open at the same
     * time. A second loop thread starting beside the first costs a socket-activated proxy about 8 ms of its cold
     * start on a 2-CPU machine, for nothing while connections come one at a time; under load it is started at the
     * first overlap, and every loop then accepts (EPOLLEXCLUSIVE wakes one per connection).
     */
    public int run(List<Fd> listeners) throws ErrnoException {
        this.listeners = List.copyOf(listeners);
        // Host names are resolved off the loop; literal targets never start this executor.
        try (LazyExecutor lazyResolverThreads = new LazyExecutor()) {
            resolverThreads = lazyResolverThreads;
            ProxyWorker firstWorker = newWorker();
            idleSince.set(System.nanoTime());
            EventLoop first = firstWorker.loop();
            // Unlike systemd, the idle time also counts when no client ever comes.
            scheduleIdleCheck(config.exitIdleNanos());
            notify = SdNotify.fromEnvironment(System.getenv());
            notify.ifPresent(n -> sendQuietly(n, "READY=1"));
            SdNotify.watchdogNanos(System.getenv(), Processes.pid())
                    .ifPresent(interval -> notify.ifPresent(n -> watchdog(first, n, interval / 2)));

            runLoop(firstWorker);
            // The others are started by the first loop only, so none can be added once it has returned.
            for (Thread t : moreLoopThreads) {
                t.join();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            workers.forEach(w -> w.loop().close());
            notify.ifPresent(SdNotify::close);
        }
        return 0;
    }

    /** A loop, its worker, and the listeners in it (exclusive when there will be several loops). */
    private ProxyWorker newWorker() throws ErrnoException {
        EventLoop loop = EventLoop.create();
        loop.onHandlerFailure(t -> HANDLER_FAILED.log(System.Logger.Level.WARNING, "Connection failed: " + t));
        ProxyWorker worker = new ProxyWorker(this, loop, resolver, resolverThreads);
        worker.listenOn(listeners, config.threads() > 1);
        workers.add(worker);
        return worker;
    }

    /** On the first loop: starts the other loops. One that cannot be made is logged; the rest serve on. */
    private void startMoreLoops() {
        for (int i = 1; i < config.threads() && accepting; i++) {
            ProxyWorker worker;
            try {
                worker = newWorker();
            } catch (ErrnoException e) {
                LOG.log(System.Logger.Level.WARNING, "Failed to start event loop " + (i + 1) + " of "
                        + config.threads() + ", serving with " + i + ": " + e.getMessage());
                return;
            }
            moreLoopThreads.add(Thread.ofPlatform().name("proxy-loop-" + i).start(() -> runLoop(worker)));
            if (!accepting) {
                worker.loop().stop();   // stop() came after it read the loop list: this one is ours to stop
            }
        }
    }

    /** A virtual-thread executor created on first use: start-up does not pay for it. */
    private static final class LazyExecutor implements Executor, AutoCloseable {
        private ExecutorService executor;

        @Override
        public synchronized void execute(Runnable task) {
            if (executor == null) {
                executor = Executors.newVirtualThreadPerTaskExecutor();
            }
            executor.execute(task);
        }

        @Override
        public synchronized void close() {
            if (executor != null) {
                executor.close();
            }
        }
    }

    private void runLoop(ProxyWorker worker) {
        try {
            worker.loop().run();
        } catch (ErrnoException e) {
            LOG.log(System.Logger.Level.ERROR, "Event loop failed: " + e.getMessage());
            stop();
        } finally {
            worker.closeAll();
        }
    }

    private void scheduleIdleCheck(long delayNanos) {
        if (config.exitIdleNanos() != Long.MAX_VALUE && idleCheckScheduled.compareAndSet(false, true)) {
            EventLoop first = workers.getFirst().loop();
            first.execute(() -> first.schedule(delayNanos, this::checkIdle));
        }
    }

    private void checkIdle() {
        idleCheckScheduled.set(false);
        long since = idleSince.get();
        if (since < 0 || open.get() > 0) {
            return;
        }
        long remaining = config.exitIdleNanos() - (System.nanoTime() - since);
        if (remaining > 0) {
            scheduleIdleCheck(remaining);
            return;
        }
        LOG.log(System.Logger.Level.DEBUG, "Idle for " + config.exitIdleNanos() / 1_000_000 + " ms, exiting.");
        stop();
    }

    private void watchdog(EventLoop loop, SdNotify n, long periodNanos) {
        sendQuietly(n, "WATCHDOG=1");
        loop.schedule(periodNanos, () -> watchdog(loop, n, periodNanos));
    }

    private static void sendQuietly(SdNotify n, String state) {
        try {
            n.send(state);
        } catch (ErrnoException e) {
            LOG.log(System.Logger.Level.DEBUG, "sd_notify " + state + " failed: " + e.getMessage());
        }
    }
}
