package dev.sockact.posix;

import java.io.IOException;

/**
 * A failed system call: which call, on what, and the errno with its text.
 * Message shape: {@code bind(127.0.0.1:80): EADDRINUSE (Address already in use)}.
 */
public final class ErrnoException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String call;
    private final int errno;
    private final String object;

    public ErrnoException(String call, int errno, Object object) {
        super(format(call, errno, object));
        this.call = call;
        this.errno = errno;
        this.object = object == null ? null : object.toString();
    }

    private static String format(String call, int errno, Object object) {
        String where = object == null ? call : call + "(" + object + ")";
        return where + ": " + Errno.nameOf(errno) + " (" + Native.strerror(errno) + ")";
    }

    /** The system call that failed, e.g. "bind". */
    public String call() {
        return call;
    }

    public int errno() {
        return errno;
    }

    /** The errno constant, or null when {@link Errno} does not name it. */
    public Errno errnoConstant() {
        return Errno.of(errno);
    }

    /** What the call was about (an address, a path), or null. */
    public String object() {
        return object;
    }

    /** "Address already in use": strerror alone, as systemd's %m prints it. */
    public String strerror() {
        return Native.strerror(errno);
    }

    /** "EADDRINUSE (Address already in use)": for messages that name the object themselves. */
    public String reason() {
        return Errno.nameOf(errno) + " (" + Native.strerror(errno) + ")";
    }
}
