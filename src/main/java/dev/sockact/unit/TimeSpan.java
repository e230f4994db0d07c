package dev.sockact.unit;

/**
 * A time span in microseconds as systemd keeps it ({@code usec_t}), where {@link #INFINITY} is a value of its own.
 * Parsing follows {@code parse_time()} and printing {@code format_timespan()} from systemd's time-util.c.
 */
public record TimeSpan(long micros) implements Comparable<TimeSpan> {

    public static final TimeSpan INFINITY = new TimeSpan(Long.MAX_VALUE);
    public static final TimeSpan ZERO = new TimeSpan(0);

    static final long USEC_PER_MSEC = 1_000L;
    static final long USEC_PER_SEC = 1_000_000L;
    static final long USEC_PER_MINUTE = 60 * USEC_PER_SEC;
    static final long USEC_PER_HOUR = 60 * USEC_PER_MINUTE;
    static final long USEC_PER_DAY = 24 * USEC_PER_HOUR;
    static final long USEC_PER_WEEK = 7 * USEC_PER_DAY;
    static final long USEC_PER_MONTH = 2_629_800L * USEC_PER_SEC;   // 30.44 days
    static final long USEC_PER_YEAR = 31_557_600L * USEC_PER_SEC;   // 365.25 days

    /** Suffixes in the order parse_time() tries them: longer spellings before their prefixes. */
    private static final String[] PARSE_SUFFIXES = {
        "seconds", "second", "sec", "s", "minutes", "minute", "min", "months", "month", "M",
        "msec", "ms", "m", "hours", "hour", "hr", "h", "days", "day", "d", "weeks", "week", "w",
        "years", "year", "y", "usec", "us", "\u00b5s", "\u03bcs",
    };
    private static final long[] PARSE_MULTIPLIERS = {
        USEC_PER_SEC, USEC_PER_SEC, USEC_PER_SEC, USEC_PER_SEC, USEC_PER_MINUTE, USEC_PER_MINUTE,
        USEC_PER_MINUTE, USEC_PER_MONTH, USEC_PER_MONTH, USEC_PER_MONTH, USEC_PER_MSEC, USEC_PER_MSEC,
        USEC_PER_MINUTE, USEC_PER_HOUR, USEC_PER_HOUR, USEC_PER_HOUR, USEC_PER_HOUR, USEC_PER_DAY,
        USEC_PER_DAY, USEC_PER_DAY, USEC_PER_WEEK, USEC_PER_WEEK, USEC_PER_WEEK, USEC_PER_YEAR,
        USEC_PER_YEAR, USEC_PER_YEAR, 1, 1, 1, 1,
    };

    private static final String[] FORMAT_SUFFIXES = {"y", "month", "w", "d", "h", "min", "s", "ms", "us"};
    private static final long[] FORMAT_UNITS = {
        USEC_PER_YEAR, USEC_PER_MONTH, USEC_PER_WEEK, USEC_PER_DAY, USEC_PER_HOUR, USEC_PER_MINUTE,
        USEC_PER_SEC, USEC_PER_MSEC, 1,
    };

    public TimeSpan {
        if (micros < 0) {
            throw new IllegalArgumentException("negative time span: " + micros);
        }
    }

    public static TimeSpan ofSeconds(long seconds) {
        return new TimeSpan(Math.multiplyExact(seconds, USEC_PER_SEC));
    }

    public boolean isInfinite() {
        return micros == Long.MAX_VALUE;
    }

    /** Whole seconds, rounded down; {@link Long#MAX_VALUE} for infinity. */
    public long toSeconds() {
        return isInfinite() ? Long.MAX_VALUE : micros / USEC_PER_SEC;
    }

    /** In nanoseconds, for timers; {@link Long#MAX_VALUE} when infinite. */
    public long toNanos() {
        return isInfinite() ? Long.MAX_VALUE : Math.multiplyExact(micros, 1000L);
    }

    /**
     * {@code parse_time(s, default_unit)}: numbers with optional fractions and units, summed; a bare number is in
     * {@code defaultUnitMicros}; {@code infinity} is infinite.
     *
     * @throws NumberFormatException with {@code EINVAL} or {@code ERANGE} as message, like the errno systemd returns
     */
    public static TimeSpan parse(String text, long defaultUnitMicros) {
        String s = text.strip();
        if (s.equals("infinity")) {
            return INFINITY;
        }
        int p = 0;
        long total = 0;
        boolean something = false;
        while (true) {
            p = skipWhitespace(text, p);
            if (p >= text.length()) {
                if (!something) {
                    throw new NumberFormatException("EINVAL");
                }
                return new TimeSpan(total);
            }
            if (text.charAt(p) == '-') {
                throw new NumberFormatException("ERANGE");
            }
            int numberStart = p;
            if (text.charAt(p) == '+') {
                p++;
            }
            int digitsStart = p;
            while (p < text.length() && isDigit(text.charAt(p))) {
                p++;
            }
            int afterNumber = p;
            boolean hasWhole = afterNumber > digitsStart;
            boolean hasDot = p < text.length() && text.charAt(p) == '.';
            if (!hasWhole && !hasDot) {
                throw new NumberFormatException("EINVAL");
            }
            long whole = hasWhole ? parseDecimal(text.substring(digitsStart, afterNumber)) : 0;
            int fractionStart = p + 1;
            if (hasDot) {
                p++;
                while (p < text.length() && isDigit(text.charAt(p))) {
                    p++;
                }
            } else if (numberStart == p) {
                throw new NumberFormatException("EINVAL");
            }
            int fractionEnd = hasDot ? p : fractionStart;
            int unitStart = skipWhitespace(text, p);
            long multiplier = defaultUnitMicros;
            int afterUnit = unitStart;
            for (int i = 0; i < PARSE_SUFFIXES.length; i++) {
                if (text.startsWith(PARSE_SUFFIXES[i], unitStart)) {
                    multiplier = PARSE_MULTIPLIERS[i];
                    afterUnit = unitStart + PARSE_SUFFIXES[i].length();
                    break;
                }
            }
            // "12.34.56" is refused; "12.34 .56" and "12.34s.56" are two components
            if (afterUnit == unitStart && unitStart == p && p < text.length()) {
                throw new NumberFormatException("EINVAL");
            }
            p = afterUnit;
            if (whole >= Long.MAX_VALUE / multiplier) {
                throw new NumberFormatException("ERANGE");
            }
            total = addChecked(total, whole * multiplier);
            something = true;
            if (hasDot) {
                if (fractionEnd == fractionStart) {
                    throw new NumberFormatException("EINVAL");   // "3.s", "3. 1"
                }
                long m = multiplier / 10;
                for (int i = fractionStart; i < fractionEnd; i++, m /= 10) {
                    total = addChecked(total, (text.charAt(i) - '0') * m);
                }
            }
        }
    }

    /** {@code parse_sec()}: a bare number is in seconds. */
    public static TimeSpan parseSec(String text) {
        return parse(text, USEC_PER_SEC);
    }

    private static long addChecked(long total, long add) {
        if (add >= Long.MAX_VALUE - total) {
            throw new NumberFormatException("ERANGE");
        }
        return total + add;
    }

    private static long parseDecimal(String digits) {
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            throw new NumberFormatException("ERANGE");
        }
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static int skipWhitespace(String s, int p) {
        while (p < s.length() && " \t\n\r".indexOf(s.charAt(p)) >= 0) {
            p++;
        }
        return p;
    }

    /** {@code format_timespan(…, 0)} as {@code systemctl show} prints it: {@code 5min 20s}, {@code infinity}, {@code 0}. */
    public String format() {
        if (isInfinite()) {
            return "infinity";
        }
        if (micros == 0) {
            return "0";
        }
        StringBuilder out = new StringBuilder();
        long t = micros;
        for (int i = 0; i < FORMAT_UNITS.length && t > 0; i++) {
            long unit = FORMAT_UNITS[i];
            if (t < unit) {
                continue;
            }
            long a = t / unit;
            long b = t % unit;
            String separator = out.isEmpty() ? "" : " ";
            // below a minute, a remainder is shown as a decimal fraction of this unit
            if (t < USEC_PER_MINUTE && b > 0) {
                int digits = 0;
                for (long cc = unit; cc > 1; cc /= 10) {
                    digits++;
                }
                if (digits > 0) {
                    out.append(separator).append(a).append('.')
                            .append(String.format("%0" + digits + "d", b)).append(FORMAT_SUFFIXES[i]);
                    break;
                }
            }
            out.append(separator).append(a).append(FORMAT_SUFFIXES[i]);
            t = b;
        }
        return out.toString();
    }

    @Override
    public int compareTo(TimeSpan other) {
        return Long.compare(micros, other.micros);
    }

    @Override
    public String toString() {
        return format();
    }
}
