package dev.sockact.posix;

import static dev.sockact.posix.Layouts.INT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/** User and group lookup through NSS (getpwnam_r, getgrnam_r), as SocketUser=/SocketGroup=/User= need. */
public final class Users {
    /** Bound of the NSS scratch buffer; entries larger than this are refused with ERANGE. */
    private static final int BUFFER_LIMIT = 1 << 20;

    private Users() {
        throw new AssertionError();
    }

    /** In {@link LibcCall}'s shape: a service's first User= lookup links no stub of its own. */
    private static final class Fns {
        static final LibcCall GETPWNAM = LibcCall.of("getpwnam_r");
        static final LibcCall GETGRNAM = LibcCall.of("getgrnam_r");
        static final LibcCall GETGROUPLIST = LibcCall.of("getgrouplist");
    }

    /** A passwd entry. */
    public record User(String name, int uid, int gid, String home, String shell) {
    }

    /** The user called {@code name}, or empty when there is none. */
    public static Optional<User> user(String name) throws ErrnoException {
        // struct passwd: pw_name, pw_passwd, pw_uid (u32 at 16), pw_gid (u32 at 20), pw_gecos, pw_dir (32), pw_shell (40).
        return lookup(Fns.GETPWNAM, "getpwnam_r", name, 48,
                entry -> new User(name, entry.get(INT, 16), entry.get(INT, 20), string(entry, 32), string(entry, 40)));
    }

    /** The gid of the group called {@code name}, or empty. */
    public static Optional<Integer> groupId(String name) throws ErrnoException {
        // struct group: gr_name, gr_passwd, gr_gid (u32 at 16), gr_mem.
        return lookup(Fns.GETGRNAM, "getgrnam_r", name, 32, entry -> entry.get(INT, 16));
    }

    /** getgrouplist(3): the groups initgroups(3) would give {@code user}, {@code gid} among them. */
    public static List<Integer> groupList(String user, int gid) {
        for (int size = 64; ; size *= 4) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment groups = arena.allocate(ValueLayout.JAVA_INT, size);
                MemorySegment count = arena.allocate(ValueLayout.JAVA_INT);
                count.set(ValueLayout.JAVA_INT, 0, size);
                int r = Fns.GETGROUPLIST.call(arena.allocateFrom(user).address(), Integer.toUnsignedLong(gid),
                        groups.address(), count.address());
                if (r >= 0) {
                    List<Integer> list = new ArrayList<>();
                    for (int i = 0; i < count.get(ValueLayout.JAVA_INT, 0); i++) {
                        list.add(groups.getAtIndex(ValueLayout.JAVA_INT, i));
                    }
                    return list;
                }
            }
        }
    }

    @SuppressWarnings("restricted") // FFM's restricted methods are this package's job; launchers grant native access
    private static String string(MemorySegment entry, long offset) {
        MemorySegment p = entry.get(ValueLayout.ADDRESS, offset);
        return p.equals(MemorySegment.NULL) ? "" : p.reinterpret(4096).getString(0);
    }

    private static <T> Optional<T> lookup(LibcCall call, String callName, String name, int entrySize,
                                          Function<MemorySegment, T> read) throws ErrnoException {
        for (int size = 1024; size <= BUFFER_LIMIT; size *= 4) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment entry = arena.allocate(entrySize, 8);
                MemorySegment buffer = arena.allocate(size);
                MemorySegment result = arena.allocate(ValueLayout.ADDRESS);
                int r = call.call(arena.allocateFrom(name).address(), entry.address(), buffer.address(), size,
                        result.address());
                if (r == Errno.ERANGE.number()) {
                    continue;
                }
                if (r != 0) {
                    throw new ErrnoException(callName, r, name);
                }
                return result.get(ValueLayout.ADDRESS, 0).equals(MemorySegment.NULL) ? Optional.empty()
                        : Optional.of(read.apply(entry));
            }
        }
        throw new ErrnoException(callName, Errno.ERANGE.number(), name);
    }
}
