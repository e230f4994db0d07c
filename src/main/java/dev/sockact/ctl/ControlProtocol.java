package dev.sockact.ctl;

import java.nio.file.Path;

/**
 * The control protocol between sockctl and sockactd: over the AF_UNIX stream socket, the client sends one
 * {@link Request} as one line and the daemon answers with one {@link Reply} as one line, then closes;
 * {@link ControlCodec} writes and reads both. A reply's exit status is the one sockctl ends with. A request longer
 * than {@link #MAX_REQUEST} bytes, in another {@link #VERSION} or one that does not decode gets a
 * {@link Reply.Failure}.
 */
public final class ControlProtocol {
    public static final int VERSION = 1;
    /** Largest request line, newline included. */
    public static final int MAX_REQUEST = 64 * 1024;
    /** Largest reply line the client reads. */
    public static final int MAX_REPLY = 16 * 1024 * 1024;

    /** Exit statuses, as systemctl's. */
    public static final int OK = 0;
    public static final int FAILURE = 1;
    public static final int NOT_ACTIVE = 3;
    public static final int NO_SUCH_UNIT = 4;
    /** systemctl start/stop of a unit it does not know (LSB "not installed"). */
    public static final int NOT_INSTALLED = 5;

    private ControlProtocol() {
        throw new AssertionError();
    }

    /**
     * The control socket's path: {@code explicit} when given, else {@code /run/sockact/control.sock}, or
     * {@code $XDG_RUNTIME_DIR/sockact/control.sock} for {@code --user}; {@code null} when {@code --user} has no
     * {@code XDG_RUNTIME_DIR}.
     */
    public static Path controlSocket(boolean user, Path explicit, String xdgRuntimeDir) {
        if (explicit != null) {
            return explicit.toAbsolutePath();
        }
        if (!user) {
            return Path.of("/run/sockact/control.sock");
        }
        if (xdgRuntimeDir == null || xdgRuntimeDir.isEmpty()) {
            return null;
        }
        return Path.of(xdgRuntimeDir, "sockact", "control.sock");
    }

    public static String notFound(String unit) {
        return "Unit " + unit + " could not be found.";
    }
}
