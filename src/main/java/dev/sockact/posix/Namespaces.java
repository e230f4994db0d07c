package dev.sockact.posix;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Linux namespaces for the calling thread: unshare(2), setns(2), mount(2), the namespace files under
 * /proc/thread-self/ns, and bringing up the loopback device of a new network namespace.
 *
 * <p>Namespaces belong to a task, and every Java platform thread is a task of its own: these calls change the
 * calling thread only, never the rest of the JVM. Callers run them on a thread made for the purpose.
 */
public final class Namespaces {
    public static final int CLONE_FS = 0x00000200;
    public static final int CLONE_NEWNS = 0x00020000;
    public static final int CLONE_NEWNET = 0x40000000;

    public static final long MS_BIND = 4096;
    public static final long MS_REC = 16384;
    public static final long MS_SLAVE = 1 << 19;

    private static final long SIOCGIFFLAGS = 0x8913;
    private static final long SIOCSIFFLAGS = 0x8914;
    private static final short IFF_UP = 0x1;
    /** struct ifreq: a 16-byte name, then a union whose first member is short ifr_flags; 40 bytes in all. */
    private static final long IFREQ_SIZE = 40;
    private static final long IFREQ_FLAGS = 16;
    private static final int AF_INET = 2;

    private Namespaces() {
        throw new AssertionError();
    }

    /** unshare(2) for the calling thread. */
    public static void unshare(int flags) throws ErrnoException {
        long r = Native.sys(Syscalls.UNSHARE, flags);
        if (r < 0) {
            throw new ErrnoException("unshare", (int) -r, cloneFlagNames(flags));
        }
    }

    /**
     * setns(2): moves the calling thread into the namespace {@code fd} refers to. A mount namespace is refused
     * (EINVAL) while the thread shares its file-system information with others: {@code unshare(CLONE_FS)} first.
     */
    public static void setns(Fd fd, int type) throws ErrnoException {
        long r = Native.sys(Syscalls.SETNS, fd.fd(), type);
        if (r < 0) {
            throw new ErrnoException("setns", (int) -r, cloneFlagNames(type));
        }
    }

    /** mount(2); {@code source} and {@code type} may be null. */
    public static void mount(String source, String target, String type, long flags) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            long r = Native.sys(Syscalls.MOUNT, address(arena, source), arena.allocateFrom(target).address(),
                    address(arena, type), flags, 0);
            if (r < 0) {
                throw new ErrnoException("mount", (int) -r, target);
            }
        }
    }

    /**
     * Opens the calling thread's namespace of {@code kind} ("net", "mnt"). The open descriptor keeps the
     * namespace alive after every process in it has gone, and {@link #setns} enters it.
     */
    public static Fd openOwn(String kind) throws ErrnoException {
        return PosixFiles.open("/proc/thread-self/ns/" + kind, 0, 0);
    }

    /** Sets IFF_UP on the loopback device of the calling thread's network namespace (down in a new one). */
    public static void loopbackUp() throws ErrnoException {
        try (Fd socket = Sockets.socket(AF_INET, Sockets.SOCK_DGRAM, 0); Arena arena = Arena.ofConfined()) {
            MemorySegment request = arena.allocate(IFREQ_SIZE, 8);
            request.setString(0, "lo");
            ioctl(socket, SIOCGIFFLAGS, request);
            short flags = request.get(Layouts.SHORT, IFREQ_FLAGS);
            request.set(Layouts.SHORT, IFREQ_FLAGS, (short) (flags | IFF_UP));
            ioctl(socket, SIOCSIFFLAGS, request);
        }
    }

    private static void ioctl(Fd fd, long request, MemorySegment ifreq) throws ErrnoException {
        long r = Native.sys(Syscalls.IOCTL, fd.fd(), request, ifreq.address());
        if (r < 0) {
            throw new ErrnoException(request == SIOCGIFFLAGS ? "ioctl(SIOCGIFFLAGS)" : "ioctl(SIOCSIFFLAGS)",
                    (int) -r, "lo");
        }
    }

    private static long address(Arena arena, String s) {
        return s == null ? 0 : arena.allocateFrom(s).address();
    }

    private static String cloneFlagNames(int flags) {
        StringBuilder names = new StringBuilder();
        if ((flags & CLONE_FS) != 0) {
            names.append("CLONE_FS|");
        }
        if ((flags & CLONE_NEWNS) != 0) {
            names.append("CLONE_NEWNS|");
        }
        if ((flags & CLONE_NEWNET) != 0) {
            names.append("CLONE_NEWNET|");
        }
        return names.isEmpty() ? "0x" + Integer.toHexString(flags) : names.substring(0, names.length() - 1);
    }
}
