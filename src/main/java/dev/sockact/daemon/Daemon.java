package dev.sockact.daemon;

import dev.sockact.event.EventLoop;
import dev.sockact.log.LogTap;
import dev.sockact.log.RateLimitedLog;
import dev.sockact.metrics.MetricsEndpoint;
import dev.sockact.metrics.ProcessMetrics;
import dev.sockact.posix.ErrnoException;
import dev.sockact.posix.SockAddr;
import dev.sockact.posix.SpawnServer;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/** Runs sockactd until SIGTERM/SIGINT: control socket and server, units, loop, orderly shutdown. */
public final class Daemon {
    private static final System.Logger LOG = System.getLogger("sockactd");

    private Daemon() {
        throw new AssertionError();
    }

    /**
     * @param controlMode   the control socket's mode (0600 unless told otherwise)
     * @param metrics       where to serve Prometheus metrics, or empty
     * @param onTermination installs the SIGTERM/SIGINT handler with the given action
     * @param onReload      installs the SIGHUP handler (daemon-reload) with the given action
     * @return the exit status: 0 after a clean stop, 1 when the daemon could not start
     */
    public static int run(Manager.Config config, Path controlSocket, int controlMode, Optional<SockAddr> metrics,
                          Consumer<Runnable> onTermination, Consumer<Runnable> onReload, PrintWriter err) {
        EventLoop loop;
        try {
            loop = EventLoop.create();
        } catch (ErrnoException e) {
            err.println("sockactd: Failed to create the event loop: " + e.getMessage());
            return 1;
        }
        try (loop; ControlLock lock = acquire(controlSocket, controlMode, err)) {
            if (lock == null) {
                return 1;
            }
            Manager manager = new Manager(config, loop);
            manager.prepareRuntimeDirectory();
            RateLimitedLog internalErrors = new RateLimitedLog(LOG);
            loop.onHandlerFailure(t -> {
                internalErrors.log(Level.ERROR, "Internal error, continuing: " + t);
                LOG.log(Level.DEBUG, "Internal error", t);
            });
            OrphanReaper.install(loop, manager.spawnPool());
            startSpawnServer();
            onTermination.accept(() -> {
                manager.requestStop();
                loop.execute(manager::shutdown);
            });
            onReload.accept(() -> loop.execute(manager::reload));
            UnitJournal journal = manager.journal();
            LogTap.install((level, message) -> journal.offer(message));
            try (ControlServer server = new ControlServer(manager, lock.fd());
                 MetricsEndpoint endpoint = metrics.isPresent() ? startMetrics(metrics.get(), manager, err) : null) {
                if (metrics.isPresent() && endpoint == null) {
                    return 1;
                }
                server.start();
                int loaded = manager.load();
                LOG.log(Level.DEBUG, () -> "Loaded " + loaded + " socket units from " + config.unitDirs());
                manager.startAll();
                loop.run();
                return 0;
            } finally {
                LogTap.install(null);
            }
        } catch (IOException e) {
            err.println("sockactd: " + e.getMessage());
            return 1;
        }
    }

    /**
     * Before any unit is loaded: the server's children inherit what sockactd has now (its umask among them, which
     * binding a socket changes for a moment). {@code SOCKACT_SPAWN_SERVER=0} turns it off (to compare, or to rule it
     * out).
     */
    private static void startSpawnServer() {
        if ("0".equals(System.getenv("SOCKACT_SPAWN_SERVER"))) {
            LOG.log(Level.DEBUG, "Not using the spawn server: SOCKACT_SPAWN_SERVER=0.");
        } else if (SpawnServer.start()) {
            LOG.log(Level.DEBUG, () -> "Spawning through the spawn server, pid " + SpawnServer.pid() + ".");
        } else {
            LOG.log(Level.DEBUG, "Not using the spawn server (not built, or it cannot be exec'd here).");
        }
    }

    private static MetricsEndpoint startMetrics(SockAddr address, Manager manager, PrintWriter err) {
        try {
            return MetricsEndpoint.start(address, List.of(new UnitMetrics(manager), new ProcessMetrics()), LOG);
        } catch (ErrnoException e) {
            err.println("sockactd: Failed to listen on " + address + " for --metrics: " + e.reason());
            return null;
        }
    }

    private static ControlLock acquire(Path controlSocket, int mode, PrintWriter err) throws IOException {
        try {
            return ControlLock.acquire(controlSocket, mode);
        } catch (ControlLock.HeldException e) {
            err.println("sockactd: " + e.getMessage());
            return null;
        }
    }
}
