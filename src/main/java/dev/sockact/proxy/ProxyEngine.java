package dev.sockact.proxy;

import dev.sockact.event.EventLoop;
import dev.sockact.metrics.Histogram;
import dev.sockact.posix.Errno;
import dev.sockact.posix.ErrnoException;
import dev.sockact.posix.Processes;
import dev.sockact.posix.SockAddr;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The forwarder, for any host: listeners in, each with its target; event loops; the connection limit; counts
 * ({@link #stats}); and the idle time, reported to the {@link ProxyObserver}. What a process does around it
 * (its arguments, sd_notify, its exit) is the host's: {@code socket-proxyd} is one host, sockactd another.
 */
public final class ProxyEngine {
    private final ProxyConfig config;
    private final ProxyObserver observer;
    private final ProxyLog log;
    /** Set by {@link #run} before any loop runs. */
    private List<ProxyListener> listeners = List.of();
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
    private volatile boolean stopped;
    private Executor resolverThreads;

    /** {@code log}: where warnings about connections and the engine go (rate-limited per kind). */
    public ProxyEngine(ProxyConfig config, ProxyObserver observer, System.Logger log) {
        this.config = config;
        this.observer = observer;
        this.log = new ProxyLog(log);
    }

    ProxyConfig config() {
        return config;
    }

    ProxyLog log() {
        return log;
    }

    boolean isAccepting() {
        return accepting;
    }

    /** Takes a connection slot; false (and logged once per burst) at the limit. Exact: never max + 1. */
    boolean tryAcquireSlot() {
        return tryAcquireSlot(null);
    }

    /**
     * Takes a slot for a new datagram session (sessions and connections share the limit); false at the limit, when
     * the client's datagrams are dropped, logged once per burst with the first such client.
     */
    boolean tryAcquireSessionSlot(Supplier<SockAddr> client) {
        return tryAcquireSlot(client);
    }

    private boolean tryAcquireSlot(Supplier<SockAddr> datagramClient) {
        while (true) {
            int n = open.get();
            if (n >= config.connectionsMax()) {
                if (limitLogged.compareAndSet(false, true)) {
                    log.logger.log(System.Logger.Level.WARNING, "Hit connection limit (" + config.connectionsMax()
                            + (datagramClient == null ? "), refusing connection."
                                    : "), dropping datagrams of new clients until a session ends (first: "
                                    + datagramClient.get() + ")."));
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
            log.starved.log(System.Logger.Level.WARNING, "Out of descriptors: "
                    + new ErrnoException("accept4", errno, null).reason() + bound
                    + "; accepting again when a connection closes.");
        }
    }

    /** An accept succeeded: the end of a shortage of descriptors is logged. */
    void acceptRecovered() {
        if (acceptStarved.get() && acceptStarved.compareAndSet(true, false)) {
            log.starved.log(System.Logger.Level.INFO, "Accepting connections again.");
        }
    }

    void releaseSlot() {
        int n = open.decrementAndGet();
        if (n < config.connectionsMax()) {
            limitLogged.set(false);
        }
        if (n == 0) {
            idleSince.set(System.nanoTime());
            scheduleIdleCheck(config.idleNanos());
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

    /**
     * Stops accepting, ends every connection and makes {@link #run} return; safe from any thread (a signal
     * handler), and before {@link #run} (which then returns at once).
     */
    public void stop() {
        accepting = false;
        stopped = true;
        workers.forEach(w -> w.loop().stop());
    }

    /** The counts now, summed over the loops; from any thread. */
    public ProxyStats stats() {
        long[] sums = new long[LoopCounters.Counter.values().length];
        long[] byErrno = new long[LoopCounters.ERRNO_SLOTS + 1];
        for (ProxyWorker worker : workers) {
            LoopCounters c = worker.counters();
            for (LoopCounters.Counter counter : LoopCounters.Counter.values()) {
                sums[counter.ordinal()] += c.get(counter);
            }
            for (int errno = 1; errno < byErrno.length; errno++) {
                byErrno[errno] += c.connectFailures(errno);
            }
        }
        Map<String, Long> failures = new TreeMap<>();
        for (int errno = 1; errno < byErrno.length; errno++) {
            if (byErrno[errno] > 0) {
                failures.put(errno == LoopCounters.ERRNO_SLOTS ? "unknown" : Errno.nameOf(errno), byErrno[errno]);
            }
        }
        long spliced = sums[LoopCounters.Counter.BYTES_TO_TARGET_SPLICED.ordinal()];
        long splicedToClients = sums[LoopCounters.Counter.BYTES_TO_CLIENTS_SPLICED.ordinal()];
        return new ProxyStats(Math.max(0, open.get()), sum(sums, LoopCounters.Counter.ACCEPTED),
                sum(sums, LoopCounters.Counter.REFUSED), sum(sums, LoopCounters.Counter.CONNECT_FAILURES),
                sum(sums, LoopCounters.Counter.BYTES_TO_TARGET) + spliced,
                sum(sums, LoopCounters.Counter.BYTES_TO_CLIENTS) + splicedToClients,
                sum(sums, LoopCounters.Counter.SESSIONS_OPENED), sum(sums, LoopCounters.Counter.SESSIONS_EXPIRED),
                sum(sums, LoopCounters.Counter.DATAGRAMS_DROPPED), sum(sums, LoopCounters.Counter.RESOLVE_FAILURES),
                failures, spliced, splicedToClients, sum(sums, LoopCounters.Counter.SESSIONS_CLOSED),
                sum(sums, LoopCounters.Counter.SESSIONS_REFUSED));
    }

    private static long sum(long[] sums, LoopCounters.Counter counter) {
        return sums[counter.ordinal()];
    }

    /** Each loop's connect latency histogram, for a scrape to sum; from any thread. */
    List<Histogram> connectLatencies() {
        List<Histogram> parts = new ArrayList<>(workers.size());
        for (ProxyWorker worker : workers) {
            parts.add(worker.counters().connectLatency());
        }
        return parts;
    }

    /**
     * Runs {@code task} on the first loop after {@code delayNanos}: a host's periodic work (socket-proxyd's
     * watchdog) without a thread of its own. Only once {@link ProxyObserver#listening} has been called.
     */
    public void schedule(long delayNanos, Runnable task) {
        EventLoop first = workers.getFirst().loop();
        first.execute(() -> first.schedule(delayNanos, task));
    }

    /**
     * Serves on the calling thread until stopped; the listeners are left open.
     *
     * <p>The first loop starts at once; the others (--threads=) only once two connections are open at the same
     * time. A second loop thread starting beside the first costs a socket-activated proxy about 8 ms of its cold
     * start on a 2-CPU machine, for nothing while connections come one at a time; under load it is started at the
     * first overlap, and every loop then accepts (EPOLLEXCLUSIVE wakes one per connection). A datagram listener
     * with an SO_REUSEPORT group ({@link ProxyListener#group}) starts them all at once.
     */
    public void run(List<ProxyListener> listeners) throws ErrnoException {
        this.listeners = List.copyOf(listeners);
        // Host names are resolved off the loop; literal targets never start this executor.
        try (LazyExecutor lazyResolverThreads = new LazyExecutor()) {
            resolverThreads = lazyResolverThreads;
            ProxyWorker firstWorker = newWorker();
            if (stopped) {
                return;   // stop() came before the first loop existed
            }
            if (config.threads() > 1 && this.listeners.stream().anyMatch(l -> l.group() != null)
                    && moreLoopsStarted.compareAndSet(false, true)) {
                // Every member of an SO_REUSEPORT group must exist before the first datagram: the kernel spreads
                // clients by a hash over the members, and a member added later would move clients that already
                // have a session on another loop.
                startMoreLoops();
            }
            idleSince.set(System.nanoTime());
            // Unlike systemd, the idle time also counts when no client ever comes.
            scheduleIdleCheck(config.idleNanos());
            observer.listening();
            runLoop(firstWorker);
            // The others are started by the first loop only, so none can be added once it has returned.
            for (Thread t : moreLoopThreads) {
                t.join();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            workers.forEach(w -> w.loop().close());
        }
    }

    /** A loop, its worker, and the listeners in it (exclusive when there will be several loops). */
    private ProxyWorker newWorker() throws ErrnoException {
        EventLoop loop = EventLoop.create();
        loop.onHandlerFailure(t -> log.handlerFailed.log(System.Logger.Level.WARNING, "Connection failed: " + t));
        ProxyWorker worker = new ProxyWorker(this, loop, resolverThreads);
        worker.listenOn(listeners, config.threads() > 1, workers.isEmpty());
        workers.add(worker);
        return worker;
    }

    /** On the first loop's thread: starts the other loops. One that cannot be made is logged; the rest serve on. */
    private void startMoreLoops() {
        for (int i = 1; i < config.threads() && accepting; i++) {
            ProxyWorker worker;
            try {
                worker = newWorker();
            } catch (ErrnoException e) {
                log.logger.log(System.Logger.Level.WARNING, "Failed to start event loop " + (i + 1) + " of "
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
            log.logger.log(System.Logger.Level.ERROR, "Event loop failed: " + e.getMessage());
            stop();
        } finally {
            worker.closeAll();
        }
    }

    private void scheduleIdleCheck(long delayNanos) {
        if (config.idleNanos() != Long.MAX_VALUE && idleCheckScheduled.compareAndSet(false, true)) {
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
        long remaining = config.idleNanos() - (System.nanoTime() - since);
        if (remaining > 0) {
            scheduleIdleCheck(remaining);
            return;
        }
        if (accepting) {
            observer.idle();
        }
    }
}
