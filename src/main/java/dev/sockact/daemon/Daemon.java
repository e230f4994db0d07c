package dev.sockact.daemon;

import dev.sockact.event.EventLoop;
import dev.sockact.posix.ErrnoException;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.function.Consumer;

/** Runs sockactd until SIGTERM/SIGINT: control lock, units, loop, orderly shutdown. */
public final class Daemon {
    private static final System.Logger LOG = System.getLogger("sockactd");

    private Daemon() {
        throw new AssertionError();
    }

    /**
     * @param onTermination installs the SIGTERM/SIGINT handler with the given action
     * @return the exit status: 0 after a clean stop, 1 when the daemon could not start
     */
    public static int run(Manager.Config config, Path controlSocket, Consumer<Runnable> onTermination,
                          PrintWriter err) {
        EventLoop loop;
        try {
            loop = EventLoop.create();
        } catch (ErrnoException e) {
            err.println("sockactd: Failed to create the event loop: " + e.getMessage());
            return 1;
        }
        try (loop; ControlLock lock = acquire(controlSocket, err)) {
            if (lock == null) {
                return 1;
            }
            Manager manager = new Manager(config, loop);
            manager.prepareRuntimeDirectory();
            loop.onHandlerFailure(t -> LOG.log(Level.ERROR, "Internal error, continuing: " + t, t));
            onTermination.accept(() -> loop.execute(manager::shutdown));
            int loaded = manager.load();
            LOG.log(Level.DEBUG, () -> "Loaded " + loaded + " socket units from " + config.unitDirs());
            manager.startAll();
            loop.run();
            return 0;
        } catch (IOException e) {
            err.println("sockactd: " + e.getMessage());
            return 1;
        }
    }

    private static ControlLock acquire(Path controlSocket, PrintWriter err) throws IOException {
        try {
            return ControlLock.acquire(controlSocket);
        } catch (ControlLock.HeldException e) {
            err.println("sockactd: " + e.getMessage());
            return null;
        }
    }
}
