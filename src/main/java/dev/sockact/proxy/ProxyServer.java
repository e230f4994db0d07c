package dev.sockact.proxy;

import dev.sockact.activation.SdNotify;
import dev.sockact.event.EventLoop;
import dev.sockact.posix.ErrnoException;
import dev.sockact.posix.Fd;
import dev.sockact.posix.Processes;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The forwarder: listeners, event loops, the connection limit, the idle exit
 * and the service-manager notifications. {@link #run()} returns the exit status.
 */
public final class ProxyServer {
    private static final System.Logger LOG = System.getLogger("socket-proxyd");

    private final ProxyConfig config;
    private final List<Fd> listeners;
    private final AtomicInteger open = new AtomicInteger();
    /** When the last connection closed (System.nanoTime), or -1 while any is open. */
    private final AtomicLong idleSince = new AtomicLong();
    private final AtomicBoolean limitLogged = new AtomicBoolean();
    /** At most one idle check is pending, however many times the count drops to zero. */
    private final AtomicBoolean idleCheckScheduled = new AtomicBoolean();
    private final List<EventLoop> loops = new ArrayList<>();
    private volatile boolean accepting = true;
    private Optional<SdNotify> notify = Optional.empty();

    public ProxyServer(ProxyConfig config, List<Fd> listeners) {
        this.config = config;
        this.listeners = List.copyOf(listeners);
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
                return true;
            }
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

    /** Stops accepting and makes {@link #run()} return; safe from any thread (a signal handler). */
    public void stop() {
        accepting = false;
        notify.ifPresent(n -> sendQuietly(n, "STOPPING=1"));
        loops.forEach(EventLoop::stop);
    }

    /** Serves until stopped or idle; returns the exit status (0). */
    public int run() throws ErrnoException {
        TargetResolver resolver = new TargetResolver(config.target());
        List<ProxyWorker> workers = new ArrayList<>();
        // Host names are resolved off the loop; literal targets never start this executor.
        try (LazyExecutor resolverThreads = new LazyExecutor()) {
            for (int i = 0; i < config.threads(); i++) {
                EventLoop loop = EventLoop.create();
                loop.onHandlerFailure(t -> LOG.log(System.Logger.Level.WARNING, "Connection failed: " + t));
                loops.add(loop);
                ProxyWorker worker = new ProxyWorker(this, loop, resolver, resolverThreads);
                worker.listenOn(listeners, config.threads() > 1);
                workers.add(worker);
            }
            idleSince.set(System.nanoTime());
            EventLoop first = loops.getFirst();
            // Unlike systemd, the idle time also counts when no client ever comes.
            scheduleIdleCheck(config.exitIdleNanos());
            notify = SdNotify.fromEnvironment(System.getenv());
            notify.ifPresent(n -> sendQuietly(n, "READY=1"));
            SdNotify.watchdogNanos(System.getenv(), Processes.pid())
                    .ifPresent(interval -> notify.ifPresent(n -> watchdog(first, n, interval / 2)));

            List<Thread> threads = new ArrayList<>();
            for (int i = 1; i < workers.size(); i++) {
                ProxyWorker worker = workers.get(i);
                threads.add(Thread.ofPlatform().name("proxy-loop-" + i).start(() -> runLoop(worker)));
            }
            runLoop(workers.getFirst());
            for (Thread t : threads) {
                t.join();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            loops.forEach(EventLoop::close);
            notify.ifPresent(SdNotify::close);
        }
        return 0;
    }

    /** A virtual-thread executor created on first use: start-up does not pay for it. */
    private static final class LazyExecutor implements java.util.concurrent.Executor, AutoCloseable {
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
            EventLoop first = loops.getFirst();
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
