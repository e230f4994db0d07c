package dev.sockact.daemon;

import dev.sockact.posix.Fd;
import dev.sockact.posix.Namespaces;

import java.io.IOException;

/**
 * A network namespace for PrivateNetwork=yes: nothing in it but the loopback device, which is up. It lives as
 * long as this object's descriptor is open (or a process is in it), so that a service joining it later
 * (JoinsNamespaceOf=) finds it even when the one that made it has stopped meanwhile.
 */
final class NetworkNamespace implements AutoCloseable {
    private final Fd fd;

    private NetworkNamespace(Fd fd) {
        this.fd = fd;
    }

    /** Creates the namespace on a thread of its own, which then ends; sockactd's other threads stay outside. */
    static NetworkNamespace create() throws ExecStepException {
        try {
            return new NetworkNamespace(NamespaceThread.run("sockactd-netns", () -> {
                Namespaces.unshare(Namespaces.CLONE_NEWNET);
                Namespaces.loopbackUp();
                return Namespaces.openOwn("net");
            }));
        } catch (IOException e) {
            throw new ExecStepException(ExecStepException.Step.NETWORK,
                    "Failed to set up network namespacing: " + e.getMessage(), e);
        }
    }

    Fd fd() {
        return fd;
    }

    @Override
    public void close() {
        fd.close();
    }
}
