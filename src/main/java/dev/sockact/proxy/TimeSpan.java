package dev.sockact.proxy;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * systemd.time(7) time spans as parse_sec() reads them: "5min 20s", "1.5h",
 * a bare number is seconds, "infinity" is no limit. Returned in nanoseconds;
 * {@link #INFINITY} for infinity.
 */
public final class TimeSpan {
    public static final long INFINITY = Long.MAX_VALUE;

    private static final Pattern PART = Pattern.compile("\\s*(\\d+(?:\\.\\d*)?|\\.\\d+)\\s*([a-zA-Zµ]*)\\s*");
    private static final long US = 1_000L;
    private static final long MS = 1_000_000L;
    private static final long S = 1_000_000_000L;
    private static final long MIN = 60 * S;
    private static final long H = 60 * MIN;
    private static final long D = 24 * H;

    private TimeSpan() {
        throw new AssertionError();
    }

    /** The span in nanoseconds; IllegalArgumentException for anything parse_sec refuses. */
    public static long parseNanos(String text) {
        String trimmed = text.trim();
        if (trimmed.equals("infinity")) {
            return INFINITY;
        }
        if (trimmed.isEmpty()) {
            throw new IllegalArgumentException("empty time span");
        }
        Matcher m = PART.matcher(trimmed);
        long total = 0;
        int at = 0;
        while (at < trimmed.length()) {
            if (!m.find(at) || m.start() != at) {
                throw new IllegalArgumentException("invalid time span: " + text);
            }
            long unit = unit(m.group(2), text);
            double value = Double.parseDouble(m.group(1));
            double nanos = value * unit;
            if (nanos > Long.MAX_VALUE - total) {
                throw new IllegalArgumentException("time span out of range: " + text);
            }
            total += (long) nanos;
            at = m.end();
        }
        return total;
    }

    private static long unit(String unit, String text) {
        return switch (unit.equals("M") ? "M" : unit.toLowerCase(Locale.ROOT)) {
            case "", "s", "sec", "second", "seconds" -> S;
            case "us", "usec", "µs", "μs" -> US;
            case "ms", "msec" -> MS;
            case "ns", "nsec" -> 1;
            case "m", "min", "minute", "minutes" -> MIN;
            case "h", "hr", "hour", "hours" -> H;
            case "d", "day", "days" -> D;
            case "w", "week", "weeks" -> 7 * D;
            case "M", "month", "months" -> 2_629_800 * S;
            case "y", "year", "years" -> 31_557_600 * S;
            default -> throw new IllegalArgumentException("unknown time unit '" + unit + "' in " + text);
        };
    }
}
