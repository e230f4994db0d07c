package dev.sockact.proxy;

/**
 * What a host of a {@link ProxyEngine} is told. Called on one of the engine's loop threads: a host must not
 * block in it (hand the work to its own thread when it is more than a flag or a message).
 */
public interface ProxyObserver {
    /** The listeners are watched: clients are being accepted (socket-proxyd sends READY=1). */
    default void listening() {
    }

    /**
     * No connection has been open for {@link ProxyConfig#idleNanos}, counted from start-up when no client ever
     * came. The engine keeps serving: the host decides (socket-proxyd exits, sockactd deactivates the service).
     */
    default void idle() {
    }

    /** Ignores everything: an engine that serves until stopped. */
    ProxyObserver NONE = new ProxyObserver() {
    };
}
