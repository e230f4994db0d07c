package dev.sockact.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Free loopback ports for tests that hand a port to another process. */
public final class Ports {
    private Ports() {
        throw new AssertionError();
    }

    /** A TCP port on 127.0.0.1 that was free a moment ago (the kernel's pick for port 0). */
    public static int freeTcpPort() {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
