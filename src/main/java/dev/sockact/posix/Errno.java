package dev.sockact.posix;

/**
 * Linux errno values the project names or classifies. The numbers are the
 * asm-generic ones shared by x86_64 and aarch64.
 */
public enum Errno {
    EPERM(1), ENOENT(2), ESRCH(3), EINTR(4), EIO(5), ENXIO(6), E2BIG(7), ENOEXEC(8), EBADF(9),
    ECHILD(10), EAGAIN(11), ENOMEM(12), EACCES(13), EFAULT(14), ENOTBLK(15), EBUSY(16), EEXIST(17),
    EXDEV(18), ENODEV(19), ENOTDIR(20), EISDIR(21), EINVAL(22), ENFILE(23), EMFILE(24), ENOTTY(25),
    ETXTBSY(26), EFBIG(27), ENOSPC(28), ESPIPE(29), EROFS(30), EMLINK(31), EPIPE(32), EDOM(33),
    ERANGE(34), EDEADLK(35), ENAMETOOLONG(36), ENOLCK(37), ENOSYS(38), ENOTEMPTY(39), ELOOP(40),
    ENOMSG(42), EIDRM(43), ENONET(64), ENODATA(61), ETIME(62), EPROTO(71), EBADMSG(74),
    EOVERFLOW(75), EILSEQ(84), EUSERS(87), ENOTSOCK(88), EDESTADDRREQ(89), EMSGSIZE(90),
    EPROTOTYPE(91), ENOPROTOOPT(92), EPROTONOSUPPORT(93), ESOCKTNOSUPPORT(94), EOPNOTSUPP(95),
    EPFNOSUPPORT(96), EAFNOSUPPORT(97), EADDRINUSE(98), EADDRNOTAVAIL(99), ENETDOWN(100),
    ENETUNREACH(101), ENETRESET(102), ECONNABORTED(103), ECONNRESET(104), ENOBUFS(105),
    EISCONN(106), ENOTCONN(107), ESHUTDOWN(108), ETOOMANYREFS(109), ETIMEDOUT(110),
    ECONNREFUSED(111), EHOSTDOWN(112), EHOSTUNREACH(113), EALREADY(114), EINPROGRESS(115),
    ESTALE(116), EDQUOT(122), ECANCELED(125);

    private static final Errno[] BY_NUMBER = new Errno[134];

    static {
        for (Errno e : values()) {
            BY_NUMBER[e.number] = e;
        }
    }

    private final int number;

    Errno(int number) {
        this.number = number;
    }

    public int number() {
        return number;
    }

    /** The constant for {@code number}, or null when this table does not name it. */
    public static Errno of(int number) {
        return number > 0 && number < BY_NUMBER.length ? BY_NUMBER[number] : null;
    }

    /** The C library's text for this errno ("Address already in use"), as systemd's %m prints it. */
    public String text() {
        return Native.strerror(number);
    }

    /** "EADDRINUSE", or "errno 200" for a number the table does not name. */
    public static String nameOf(int number) {
        Errno e = of(number);
        return e != null ? e.name() : "errno " + number;
    }

    /** Worth retrying at once or at the next readiness: systemd's ERRNO_IS_TRANSIENT. */
    public static boolean isTransient(int number) {
        return number == EAGAIN.number || number == EINTR.number;
    }

    /** The peer or the network went away: systemd's ERRNO_IS_DISCONNECT. */
    public static boolean isDisconnect(int number) {
        Errno e = of(number);
        return e != null && switch (e) {
            case ECONNABORTED, ECONNREFUSED, ECONNRESET, EHOSTDOWN, EHOSTUNREACH, ENETDOWN, ENETRESET,
                 ENETUNREACH, ENONET, ENOPROTOOPT, ENOTCONN, EPIPE, EPROTO, ESHUTDOWN, ETIMEDOUT -> true;
            default -> false;
        };
    }

    /** Out of descriptors or kernel memory: accept(2) fails until something is freed, so retrying at once spins. */
    public static boolean isResourceExhaustion(int number) {
        return number == EMFILE.number || number == ENFILE.number || number == ENOBUFS.number
                || number == ENOMEM.number;
    }

    /** accept() failed for this one connection only; keep listening: ERRNO_IS_ACCEPT_AGAIN. */
    public static boolean isAcceptAgain(int number) {
        return isTransient(number) || isDisconnect(number) || number == EOPNOTSUPP.number;
    }
}
