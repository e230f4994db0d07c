package dev.sockact.cli;

import dev.sockact.posix.Processes;
import dev.sockact.posix.Signals;

import sun.misc.Signal;

/**
 * SIGTERM and SIGINT as a request to stop cleanly (exit 0), not a kill:
 * the JVM's default would run shutdown hooks and exit 143.
 */
final class StopSignals {
    private StopSignals() {
        throw new AssertionError();
    }

    static void onTermination(Runnable stop) {
        handle("TERM", Signals.SIGTERM, stop);
        handle("INT", Signals.SIGINT, stop);
    }

    /** SIGHUP: daemon-reload, as systemd does. */
    static void onReload(Runnable reload) {
        handle("HUP", Signals.SIGHUP, reload);
    }

    /** Installs the handler; an inherited SIG_IGN would make the JVM skip it silently, so it is reset first. */
    private static void handle(String name, int number, Runnable action) {
        Processes.unignore(number);
        Signal.handle(new Signal(name), s -> action.run());
    }
}
