package dev.sockact.cli;

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
        Signal.handle(new Signal("TERM"), s -> stop.run());
        Signal.handle(new Signal("INT"), s -> stop.run());
    }

    /** SIGHUP: daemon-reload, as systemd does. */
    static void onReload(Runnable reload) {
        Signal.handle(new Signal("HUP"), s -> reload.run());
    }
}
