package dev.sockact.cli;

import dev.sockact.activation.SdNotify;
import dev.sockact.posix.ErrnoException;
import dev.sockact.posix.Processes;
import dev.sockact.proxy.ProxyEngine;
import dev.sockact.proxy.ProxyObserver;
import java.util.Map;
import java.util.Optional;

/**
 * The process around socket-proxyd's engine: the service manager is told READY=1 once clients are accepted,
 * WATCHDOG=1 at half its interval and STOPPING=1 on the way out, and the process exits when the engine has
 * been idle for --exit-idle-time=.
 */
final class SocketProxydProcess implements ProxyObserver {
    private static final System.Logger LOG = System.getLogger("socket-proxyd");

    private final Optional<SdNotify> notify;
    private final Optional<Long> watchdogNanos;
    private final long idleNanos;
    private ProxyEngine engine;

    SocketProxydProcess(Map<String, String> environment, long idleNanos) throws ErrnoException {
        this.notify = SdNotify.fromEnvironment(environment);
        this.watchdogNanos = notify.isPresent()
                ? SdNotify.watchdogNanos(environment, Processes.pid()).map(n -> n / 2) : Optional.empty();
        this.idleNanos = idleNanos;
    }

    /** Set before the engine runs: the observer and the engine refer to each other. */
    void serve(ProxyEngine engine) {
        this.engine = engine;
    }

    @Override
    public void listening() {
        send("READY=1");
        watchdogNanos.ifPresent(this::watchdog);
    }

    @Override
    public void idle() {
        LOG.log(System.Logger.Level.DEBUG, "Idle for " + idleNanos / 1_000_000 + " ms, exiting.");
        stop();
    }

    /** From any thread (a signal handler): the engine stops, and with it the process. */
    void stop() {
        send("STOPPING=1");
        engine.stop();
    }

    /** After the engine has returned. */
    void close() {
        notify.ifPresent(SdNotify::close);
    }

    private void watchdog(long periodNanos) {
        send("WATCHDOG=1");
        engine.schedule(periodNanos, () -> watchdog(periodNanos));
    }

    private void send(String state) {
        notify.ifPresent(n -> {
            try {
                n.send(state);
            } catch (ErrnoException e) {
                LOG.log(System.Logger.Level.DEBUG, "sd_notify " + state + " failed: " + e.getMessage());
            }
        });
    }
}
