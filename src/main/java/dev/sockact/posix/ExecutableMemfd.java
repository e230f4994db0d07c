package dev.sockact.posix;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.util.Objects;

/**
 * A program held in a sealed memfd and exec'd through {@code /proc/<our pid>/fd/<n>}: code that ships inside the
 * jar (the LISTEN_PID trampoline, the spawn server, the standby program) runs without a file on disk that could be
 * missing, stale or replaced. The memfd is CLOEXEC and held for the life of the process.
 */
final class ExecutableMemfd {
    private static final int MFD_CLOEXEC = 0x1;
    private static final int MFD_ALLOW_SEALING = 0x2;
    /** Linux 6.3+: say explicitly that the memfd is executable (vm.memfd_noexec); older kernels refuse the flag. */
    private static final int MFD_EXEC = 0x10;
    private static final int F_ADD_SEALS = 1033;
    private static final int F_SEAL_ALL = 0x1 | 0x2 | 0x4 | 0x8;   // SEAL, SHRINK, GROW, WRITE
    private static final long MEMFD_CREATE = "aarch64".equals(System.getProperty("os.arch")) ? 279 : 319;

    private ExecutableMemfd() {
        throw new AssertionError();
    }

    /** The path to exec {@code program} by, or null where no memfd can be made (the caller has a fallback). */
    static String create(String name, byte[] program) {
        int fd;
        try (Arena arena = Arena.ofConfined()) {
            long nameAddress = arena.allocateFrom(name).address();
            fd = (int) Native.sys(MEMFD_CREATE, nameAddress, MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
            if (fd < 0) {
                fd = (int) Native.sys(MEMFD_CREATE, nameAddress, MFD_CLOEXEC | MFD_ALLOW_SEALING);
            }
        }
        if (fd < 0) {
            return null;
        }
        try {
            Io.writeFully(fd, program, name);
        } catch (ErrnoException e) {
            Io.close(fd);
            return null;
        }
        Native.sys(Syscalls.FCNTL, fd, F_ADD_SEALS, F_SEAL_ALL);
        return "/proc/" + Processes.pid() + "/fd/" + fd;
    }

    /**
     * A program built into this package as a resource, put in a memfd at its first use and kept for the life of the
     * process (the spawn server, the standby program).
     */
    static final class BuiltIn {
        private final String resource;
        private final String name;
        /** The path once made: "" when this build has none or no memfd could be made. */
        private String path;

        BuiltIn(String resource, String name) {
            this.resource = resource;
            this.name = name;
        }

        /** The path to exec it by; null when this build has none or no memfd can be made. */
        synchronized String path() {
            if (path == null) {
                path = fromResource();
            }
            return path.isEmpty() ? null : path;
        }

        private String fromResource() {
            try (InputStream in = ExecutableMemfd.class.getResourceAsStream(resource)) {
                return in == null ? "" : Objects.requireNonNullElse(create(name, in.readAllBytes()), "");
            } catch (IOException e) {
                return "";
            }
        }
    }
}
