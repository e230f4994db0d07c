package dev.sockact.testing;

import dev.sockact.posix.Errno;
import dev.sockact.posix.ErrnoException;
import dev.sockact.posix.Fd;
import dev.sockact.posix.Io;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/** Blocking reads and writes on our own descriptors (pipes, socket pairs), for tests. */
public final class FdIo {
    private FdIo() {
        throw new AssertionError();
    }

    /** Reads until EOF. */
    public static byte[] readAll(Fd fd) throws ErrnoException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(65536);
            while (true) {
                long n = Io.readRaw(fd.fd(), buffer, buffer.byteSize());
                if (n == -Errno.EINTR.number()) {
                    continue;
                }
                if (n < 0) {
                    throw new ErrnoException("read", (int) -n, fd);
                }
                if (n == 0) {
                    return out.toByteArray();
                }
                out.write(buffer.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), 0, (int) n);
            }
        }
    }

    public static String readAllText(Fd fd) throws ErrnoException {
        return new String(readAll(fd), StandardCharsets.UTF_8);
    }
}
