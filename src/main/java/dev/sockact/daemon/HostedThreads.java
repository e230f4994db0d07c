package dev.sockact.daemon;

import dev.sockact.posix.ErrnoException;
import dev.sockact.posix.Fd;
import dev.sockact.posix.Namespaces;

import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The platform threads that hosted socket-proxyd engines ({@link HostedProxy}) run on, kept from one activation to
 * the next. Starting a platform thread cost the manager's loop about a millisecond of the ~3 from a trigger to the
 * first echoed byte (bench/hosted-bench, session 8), and a proxy with --exit-idle-time= starts anew on every
 * activation. One thread waits from the first hosted start on; more are made while several engines run at once,
 * and each of those ends after {@link #KEEP_ALIVE_SECONDS} without work. Their number is bounded by the hosted
 * units, which run one engine each at most.
 *
 * <p>A platform thread, not a virtual one: a virtual thread moves between carriers and would leave a network
 * namespace behind. An engine may enter its service's network namespace ({@code setns} acts on the calling thread
 * only); the thread returns to the host's before it serves another unit, and a thread that cannot return is set
 * aside for good. It must not end instead: the pool would replace it from that thread, and the new one would
 * inherit the foreign namespace.
 */
final class HostedThreads {
    private static final System.Logger LOG = System.getLogger("sockactd");
    private static final long KEEP_ALIVE_SECONDS = 60;
    private static final String IDLE_NAME = "sockactd-proxy-idle";

    private final ThreadPoolExecutor pool;
    /** The host's network namespace, opened on the manager's loop when an engine first leaves it. */
    private Fd hostNetwork;

    HostedThreads() {
        AtomicInteger numbers = new AtomicInteger();
        ThreadFactory factory = task -> Thread.ofPlatform().name(IDLE_NAME + "-" + numbers.incrementAndGet())
                .daemon().unstarted(task);
        // A SynchronousQueue hands each engine to a waiting thread, or makes one: engines never queue behind
        // one another (each runs until its proxy stops).
        this.pool = new ThreadPoolExecutor(1, Integer.MAX_VALUE, KEEP_ALIVE_SECONDS, TimeUnit.SECONDS,
                new SynchronousQueue<>(), factory);
    }

    /**
     * Runs {@code engine} for {@code unit} on a kept thread; on the manager's loop. With {@code leavesHostNetwork},
     * {@code engine} may setns into another network namespace, and the thread goes back to the host's afterwards.
     */
    void run(String unit, boolean leavesHostNetwork, Runnable engine) throws ErrnoException {
        Fd host = leavesHostNetwork ? hostNetwork() : null;
        pool.execute(() -> {
            Thread self = Thread.currentThread();
            String idleName = self.getName();
            self.setName("sockactd-proxy-" + unit);
            try {
                engine.run();
            } finally {
                self.setName(idleName);
                if (host != null) {
                    returnTo(host, unit);
                }
            }
        });
    }

    /** Starts the thread the first hosted start will take, off the activation path; on the manager's loop. */
    void prestart() {
        pool.prestartCoreThread();
    }

    private Fd hostNetwork() throws ErrnoException {
        if (hostNetwork == null) {
            hostNetwork = Namespaces.openOwn("net");   // the manager's loop never leaves the host's namespace
        }
        return hostNetwork;
    }

    private static void returnTo(Fd host, String unit) {
        try {
            Namespaces.setns(host, Namespaces.CLONE_NEWNET);
        } catch (ErrnoException e) {
            LOG.log(System.Logger.Level.ERROR, unit + ": Cannot return the proxy's thread to the host's network"
                    + " namespace (" + e.getMessage() + "); setting the thread aside.");
            while (true) {
                LockSupport.park();   // never serves again; the pool makes another thread when one is needed
            }
        }
    }
}
