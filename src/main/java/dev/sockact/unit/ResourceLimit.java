package dev.sockact.unit;

/**
 * The sixteen resource limits of setrlimit(2), with their {@code Limit*=} key, their number on Linux and the
 * option prlimit(1) sets them with.
 */
public enum ResourceLimit {
    CPU(0, Unit.SECONDS), FSIZE(1, Unit.BYTES), DATA(2, Unit.BYTES), STACK(3, Unit.BYTES), CORE(4, Unit.BYTES),
    RSS(5, Unit.BYTES), NPROC(6, Unit.COUNT), NOFILE(7, Unit.COUNT), MEMLOCK(8, Unit.BYTES), AS(9, Unit.BYTES),
    LOCKS(10, Unit.COUNT), SIGPENDING(11, Unit.COUNT), MSGQUEUE(12, Unit.BYTES), NICE(13, Unit.NICE),
    RTPRIO(14, Unit.COUNT), RTTIME(15, Unit.MICROSECONDS);

    /** RLIM_INFINITY, as a Java long. */
    public static final long INFINITY = -1;

    /** How a value of this limit is written in a unit file (rlimit-util.c's parse table). */
    public enum Unit {
        /** A time span, rounded up to whole seconds; a bare number is seconds. */
        SECONDS,
        /** A time span in microseconds; a bare number is microseconds. */
        MICROSECONDS,
        /** A size with K, M, G, T, P, E (base 1024). */
        BYTES,
        /** A plain number. */
        COUNT,
        /** A raw value 0..40, or a nice level with a sign: {@code +N} is 20-N, {@code -N} is 20+N. */
        NICE
    }

    /** One limit: soft and hard, each {@link #INFINITY} or a value. */
    public record Value(long soft, long hard) {
        /** Soft above hard, with infinity above every number. */
        public boolean softAboveHard() {
            return compare(soft, hard) > 0;
        }

        /** rlimit_format(): {@code infinity}, {@code N}, or {@code soft:hard}. */
        public String format() {
            if (soft == hard) {
                return text(soft);
            }
            return text(soft) + ":" + text(hard);
        }

        private static String text(long value) {
            return value == INFINITY ? "infinity" : Long.toString(value);
        }
    }

    private final int resource;
    private final Unit unit;

    ResourceLimit(int resource, Unit unit) {
        this.resource = resource;
        this.unit = unit;
    }

    /** The resource number of setrlimit(2). */
    public int resource() {
        return resource;
    }

    public Unit unit() {
        return unit;
    }

    /** The unit-file key: {@code LimitNOFILE}. */
    public String key() {
        return "Limit" + name();
    }

    /** As systemd names it in messages: {@code RLIMIT_NOFILE}. */
    public String rlimitName() {
        return "RLIMIT_" + name();
    }

    /** Compares two limit values as the kernel does: RLIM_INFINITY is the largest. */
    public static int compare(long a, long b) {
        return Long.compareUnsigned(a, b);
    }
}
