package dev.sockact.daemon;

import dev.sockact.event.EventLoop;
import dev.sockact.metrics.MetricsSource;
import dev.sockact.posix.ErrnoException;
import dev.sockact.posix.Namespaces;
import dev.sockact.proxy.ProxyArguments;
import dev.sockact.proxy.ProxyEngine;
import dev.sockact.proxy.ProxyListener;
import dev.sockact.proxy.ProxyMetrics;
import dev.sockact.proxy.ProxyObserver;
import dev.sockact.proxy.ProxyStats;
import dev.sockact.proxy.TargetResolver;

import java.io.IOException;
import java.util.List;
import java.util.ResourceBundle;
import java.util.function.Supplier;

/**
 * A socket-proxyd service run inside sockactd (see {@link ProxyHosting} for when): the proxy's engine on a platform
 * thread of {@link HostedThreads} (kept from one activation to the next), with the service's sockets and the options
 * of its ExecStart=, its log lines in the unit's journal. It stands where the main process would: {@link Events#ended} is its exit, on the manager's loop, after
 * the engine stopped (the idle time passed, or {@link #stop}) and closed its connections.
 *
 * <p>With PrivateNetwork=/JoinsNamespaceOf=, the thread enters the service's network namespace before the engine
 * runs, so every socket towards the target is made there; the engine's further loops are started from that thread
 * and inherit it (a new task shares its creator's namespaces). Nothing else of sockactd leaves the host's.
 */
final class HostedProxy implements ProxyObserver {
    private static final System.Logger LOG = System.getLogger("sockactd");

    /** What the service's state machine hears, always on the manager's loop. */
    interface Events {
        /** Clients are being accepted (Type=notify's READY=1). */
        void listening();

        /** The engine has stopped: {@code clean} unless its loop failed (logged). */
        void ended(boolean clean);
    }

    private final String unit;
    private final ProxyArguments arguments;
    private final ProxyEngine engine;
    private final EventLoop managerLoop;
    private final Events events;
    private volatile boolean alive;
    private final ProxyMetrics metrics;

    HostedProxy(String unit, ProxyArguments arguments, EventLoop managerLoop, Events events) {
        this.unit = unit;
        this.arguments = arguments;
        this.managerLoop = managerLoop;
        this.events = events;
        this.engine = new ProxyEngine(arguments.config(), this, new UnitLogger(unit));
        this.metrics = new ProxyMetrics(engine, unit);
    }

    /**
     * Starts serving {@code listeners} (their sockets are the socket unit's, left open) in {@code network}, or the
     * host's, on one of {@code threads}.
     */
    void start(List<ProxyListener> listeners, NetworkNamespace network, HostedThreads threads) {
        alive = true;
        try {
            threads.run(unit, network != null, () -> serve(listeners, network));
        } catch (ErrnoException | RuntimeException | OutOfMemoryError e) {
            // No thread to run on (the host's namespace cannot be opened, or no thread can be made): the engine
            // never ran, which ends the service as a process that failed at once would.
            LOG.log(System.Logger.Level.ERROR, unit + ": Failed to start forwarding: " + e.getMessage());
            managerLoop.execute(() -> {
                alive = false;
                events.ended(false);
            });
        }
    }

    private void serve(List<ProxyListener> listeners, NetworkNamespace network) {
        boolean clean = true;
        try {
            if (network != null) {
                Namespaces.setns(network.fd(), Namespaces.CLONE_NEWNET);
            }
            engine.run(listeners);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.ERROR, unit + ": " + e.getMessage());
            clean = false;
        } catch (RuntimeException | Error e) {
            LOG.log(System.Logger.Level.ERROR, unit + ": Forwarding failed: " + e);
            clean = false;
        }
        boolean exitedCleanly = clean;
        managerLoop.execute(() -> {
            alive = false;
            events.ended(exitedCleanly);
        });
    }

    /** Whether the engine runs (until {@link Events#ended} has been delivered). */
    boolean alive() {
        return alive;
    }

    /** Stops the engine and ends its connections; from any thread. */
    void stop() {
        engine.stop();
    }

    ProxyStats stats() {
        return engine.stats();
    }

    /** The engine's {@code sockact_proxy_*} families, labelled with the unit; collected on the metrics thread. */
    MetricsSource metrics() {
        return metrics;
    }

    /** For {@code sockctl status}: where it forwards, and the counts now. */
    String describe() {
        ProxyStats s = engine.stats();
        return "Forwarding to " + arguments.describeTargets() + " inside sockactd (no process): " + s.open() + " open, "
                + s.accepted() + " accepted" + (s.sessionsOpened() > 0 ? ", " + s.sessionsOpened()
                + " datagram sessions" : "") + (s.refused() > 0 ? ", " + s.refused() + " refused" : "")
                + (s.connectFailures() > 0 ? ", " + s.connectFailures() + " failed to connect" : "")
                + "; " + s.bytesToTarget() + " B to target, " + s.bytesToClients() + " B to clients";
    }

    @Override
    public void listening() {
        managerLoop.execute(() -> {
            if (alive) {
                events.listening();
            }
        });
    }

    /** --exit-idle-time= passed: the engine stops, as the process would exit. */
    @Override
    public void idle() {
        LOG.log(System.Logger.Level.DEBUG, () -> unit + ": Idle for "
                + arguments.config().idleNanos() / 1_000_000 + " ms, stopping.");
        engine.stop();
    }

    /**
     * The engine's logger: sockactd's, each line prefixed with the unit's name, which is how {@link UnitJournal}
     * files a line under its unit (as the process's stderr would be).
     */
    private static final class UnitLogger implements System.Logger {
        private final System.Logger daemon = System.getLogger("sockactd");
        private final String prefix;

        UnitLogger(String unit) {
            this.prefix = unit + ": ";
        }

        @Override
        public String getName() {
            return daemon.getName();
        }

        @Override
        public boolean isLoggable(Level level) {
            return daemon.isLoggable(level);
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String message, Throwable thrown) {
            daemon.log(level, bundle, prefix + message, thrown);
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String format, Object... params) {
            daemon.log(level, bundle, prefix + format, params);
        }

        @Override
        public void log(Level level, Supplier<String> message) {
            if (daemon.isLoggable(level)) {
                daemon.log(level, prefix + message.get());
            }
        }
    }
}
