package dev.sockact.proxy;

/** Validates a target's port or service name up front, so a typo fails at start, not per connection. */
public final class TargetPorts {
    private TargetPorts() {
        throw new AssertionError();
    }

    /** IllegalArgumentException naming the service when it is neither a port nor in /etc/services. */
    public static void check(String service) {
        TargetResolver.port(service);
    }
}
