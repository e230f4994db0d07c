package dev.sockact.posix;

/**
 * Linux system call numbers for x86_64 and aarch64 (asm-generic). Every
 * plain syscall goes through libc's syscall(2) with these numbers, so the
 * whole native layer links one downcall stub instead of one per function:
 * each stub costs milliseconds to generate and cannot be kept in the AOT
 * cache, and start-up is on the critical path of socket activation.
 */
final class Syscalls {
    private static final boolean AARCH64 = "aarch64".equals(System.getProperty("os.arch"));

    static final long READ = pick(0, 63);
    static final long WRITE = pick(1, 64);
    static final long CLOSE = pick(3, 57);
    static final long RT_SIGACTION = pick(13, 134);
    static final long IOCTL = pick(16, 29);
    static final long GETPID = pick(39, 172);
    static final long SOCKET = pick(41, 198);
    static final long CONNECT = pick(42, 203);
    static final long SENDTO = pick(44, 206);
    static final long RECVFROM = pick(45, 207);
    static final long SENDMSG = pick(46, 211);
    static final long RECVMSG = pick(47, 212);
    static final long RECVMMSG = pick(299, 243);
    static final long SENDMMSG = pick(307, 269);
    static final long SHUTDOWN = pick(48, 210);
    static final long BIND = pick(49, 200);
    static final long LISTEN = pick(50, 201);
    static final long GETSOCKNAME = pick(51, 204);
    static final long GETPEERNAME = pick(52, 205);
    static final long SOCKETPAIR = pick(53, 199);
    static final long SETSOCKOPT = pick(54, 208);
    static final long GETSOCKOPT = pick(55, 209);
    static final long EXECVE = pick(59, 221);
    static final long KILL = pick(62, 129);
    static final long FCNTL = pick(72, 25);
    static final long UMASK = pick(95, 166);
    static final long GETUID = pick(102, 174);
    static final long PRCTL = pick(157, 167);
    static final long SETPRIORITY = pick(141, 140);
    static final long SCHED_SETSCHEDULER = pick(144, 119);
    static final long SCHED_SETAFFINITY = pick(203, 122);
    static final long KEYCTL = pick(250, 219);
    static final long IOPRIO_SET = pick(251, 30);
    static final long GETGID = pick(104, 176);
    static final long MOUNT = pick(165, 40);
    static final long EPOLL_CTL = pick(233, 21);
    static final long WAITID = pick(247, 95);
    static final long OPENAT = pick(257, 56);
    static final long MKDIRAT = pick(258, 34);
    static final long MKNODAT = pick(259, 33);
    static final long FCHOWNAT = pick(260, 54);
    static final long UNLINKAT = pick(263, 35);
    static final long SYMLINKAT = pick(266, 36);
    static final long FCHMODAT = pick(268, 53);
    static final long UNSHARE = pick(272, 97);
    static final long SPLICE = pick(275, 76);
    static final long EPOLL_PWAIT = pick(281, 22);
    static final long ACCEPT4 = pick(288, 242);
    static final long EVENTFD2 = pick(290, 19);
    static final long EPOLL_CREATE1 = pick(291, 20);
    static final long DUP3 = pick(292, 24);
    static final long PIPE2 = pick(293, 59);
    static final long PRLIMIT64 = pick(302, 261);
    static final long SETNS = pick(308, 268);
    static final long PIDFD_SEND_SIGNAL = 424;
    static final long PIDFD_OPEN = 434;
    static final long FSTAT = pick(5, 80);
    static final long GETPPID = pick(110, 173);
    static final long CLOSE_RANGE = 436;

    /** The "current directory" fd for the *at calls. */
    static final long AT_FDCWD = -100;
    static final long AT_SYMLINK_NOFOLLOW = 0x100;

    private Syscalls() {
        throw new AssertionError();
    }

    private static long pick(long x86, long arm) {
        return AARCH64 ? arm : x86;
    }
}
