package dev.sockact.posix;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

/**
 * Attributes Linux keeps per task (per thread), which a child made by posix_spawn copies from the thread that
 * called it: the nice level, the I/O priority, the CPU scheduling policy, the CPU affinity, no-new-privileges and
 * the session keyring. Each call changes the calling thread only; callers run them on a thread made for one spawn.
 */
public final class CallingThread {
    private static final int PRIO_PROCESS = 0;
    private static final int IOPRIO_WHO_PROCESS = 1;
    private static final int SCHED_RESET_ON_FORK = 0x40000000;
    private static final int PR_SET_NO_NEW_PRIVS = 38;
    private static final int KEYCTL_JOIN_SESSION_KEYRING = 1;
    private static final int KEYCTL_CHOWN = 4;
    private static final int KEYCTL_LINK = 8;
    private static final int KEY_SPEC_USER_KEYRING = -4;
    private static final int KEY_SPEC_SESSION_KEYRING = -3;

    private CallingThread() {
        throw new AssertionError();
    }

    /** setpriority(PRIO_PROCESS, 0, nice): with who 0 the kernel changes the calling task only. */
    public static void setNice(int nice) throws ErrnoException {
        check(Native.sys(Syscalls.SETPRIORITY, PRIO_PROCESS, 0, nice), "setpriority", "nice " + nice);
    }

    /** ioprio_set(IOPRIO_WHO_PROCESS, 0, ioprio). */
    public static void setIoPriority(int ioprio) throws ErrnoException {
        check(Native.sys(Syscalls.IOPRIO_SET, IOPRIO_WHO_PROCESS, 0, ioprio), "ioprio_set",
                "class " + (ioprio >> 13) + " priority " + (ioprio & 0x1fff));
    }

    /** sched_setscheduler(0, policy, {priority}), with SCHED_RESET_ON_FORK when asked. */
    public static void setScheduler(int policy, int priority, boolean resetOnFork) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment param = arena.allocate(ValueLayout.JAVA_INT);
            param.set(ValueLayout.JAVA_INT, 0, priority);
            check(Native.sys(Syscalls.SCHED_SETSCHEDULER, 0, policy | (resetOnFork ? SCHED_RESET_ON_FORK : 0),
                    param.address()), "sched_setscheduler", "policy " + policy + " priority " + priority);
        }
    }

    /** sched_setaffinity(0, ...) to exactly {@code cpus}. */
    public static void setAffinity(List<Integer> cpus) throws ErrnoException {
        int max = cpus.stream().mapToInt(Integer::intValue).max().orElse(0);
        long bytes = ((max / 64) + 1) * 8L;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment mask = arena.allocate(bytes, 8);
            for (int cpu : cpus) {
                long word = mask.get(ValueLayout.JAVA_LONG, (cpu / 64) * 8L);
                mask.set(ValueLayout.JAVA_LONG, (cpu / 64) * 8L, word | 1L << (cpu % 64));
            }
            check(Native.sys(Syscalls.SCHED_SETAFFINITY, 0, bytes, mask.address()), "sched_setaffinity",
                    cpus.toString());
        }
    }

    /** prctl(PR_SET_NO_NEW_PRIVS): irreversible for this task and everything it starts. */
    public static void setNoNewPrivileges() throws ErrnoException {
        check(Native.sys(Syscalls.PRCTL, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl", "PR_SET_NO_NEW_PRIVS");
    }

    /**
     * keyctl(KEYCTL_JOIN_SESSION_KEYRING, NULL): a new anonymous session keyring; owned by {@code uid}/{@code gid}
     * when they are not -1, and with the calling user's user keyring linked in when {@code linkUserKeyring}.
     */
    public static void newSessionKeyring(int uid, int gid, boolean linkUserKeyring) throws ErrnoException {
        long keyring = Native.sys(Syscalls.KEYCTL, KEYCTL_JOIN_SESSION_KEYRING, 0);
        check(keyring, "keyctl", "KEYCTL_JOIN_SESSION_KEYRING");
        if (linkUserKeyring) {
            check(Native.sys(Syscalls.KEYCTL, KEYCTL_LINK, KEY_SPEC_USER_KEYRING, KEY_SPEC_SESSION_KEYRING),
                    "keyctl", "KEYCTL_LINK");
        }
        if (uid != -1 || gid != -1) {
            check(Native.sys(Syscalls.KEYCTL, KEYCTL_CHOWN, keyring, uid, gid), "keyctl", "KEYCTL_CHOWN");
        }
    }

    private static void check(long r, String call, String context) throws ErrnoException {
        if (r < 0) {
            throw new ErrnoException(call, (int) -r, context);
        }
    }
}
