package dev.sockact.unit.parse;

import dev.sockact.unit.TimeSpan;

import java.util.Locale;
import java.util.Map;

/**
 * The generic value parsers, one per systemd {@code config_parse_*} function that many keys share, with that
 * function's rules and message.
 */
public final class Values {

    private Values() {
    }

    /** {@code parse_boolean()}: 1/yes/y/true/t/on and 0/no/n/false/f/off, any case. */
    public static ValueParser<Boolean> bool() {
        return (value, context) -> {
            Boolean parsed = parseBoolean(value);
            if (parsed == null) {
                throw InvalidValueException.ignoring("Failed to parse boolean value, ignoring: " + value);
            }
            return parsed;
        };
    }

    /** {@code parse_boolean()}, or {@code null} when the text is not a boolean. */
    public static Boolean parseBoolean(String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "1", "yes", "y", "true", "t", "on" -> Boolean.TRUE;
            case "0", "no", "n", "false", "f", "off" -> Boolean.FALSE;
            default -> null;
        };
    }

    /** {@code config_parse_unsigned}: {@code safe_atou()}, base detected from the prefix. */
    public static ValueParser<Long> unsigned() {
        return numeric("unsigned", CNumbers::parseUnsigned32);
    }

    /** {@code config_parse_int}. */
    public static ValueParser<Integer> integer() {
        return numeric("int", CNumbers::parseInt32);
    }

    /** {@code config_parse_long}. */
    public static ValueParser<Long> longValue() {
        return numeric("long", CNumbers::parseLong);
    }

    private interface NumberReader<T> {
        T read(String s);
    }

    private static <T> ValueParser<T> numeric(String typeName, NumberReader<T> reader) {
        return (value, context) -> {
            try {
                return reader.read(value);
            } catch (NumberFormatException e) {
                throw InvalidValueException.ignoring("Failed to parse " + typeName + " value, ignoring: " + value);
            }
        };
    }

    /** {@code config_parse_sec}: a time span, bare numbers in seconds. */
    public static ValueParser<TimeSpan> sec() {
        return (value, context) -> {
            try {
                return TimeSpan.parseSec(value);
            } catch (NumberFormatException e) {
                throw InvalidValueException.ignoring("Failed to parse sec value, ignoring: " + value);
            }
        };
    }

    /** {@code config_parse_sec_fix_0}: like {@link #sec()}, but 0 means no limit (infinity). */
    public static ValueParser<TimeSpan> secFix0() {
        ValueParser<TimeSpan> sec = sec();
        return (value, context) -> {
            TimeSpan span = sec.parse(value, context);
            return span.micros() == 0 ? TimeSpan.INFINITY : span;
        };
    }

    /** {@code config_parse_mode}: octal only, at most 07777, no sign. */
    public static ValueParser<Integer> mode() {
        return (value, context) -> {
            try {
                return (int) CNumbers.parseUnsignedNoSign(value, 8, 07777);
            } catch (NumberFormatException e) {
                throw InvalidValueException.ignoring("Failed to parse mode value, ignoring: " + value);
            }
        };
    }

    /** {@code config_parse_iec_size}: K, M, G, T, P, E with base 1024; fractions allowed; summed parts. */
    public static ValueParser<Long> iecSize() {
        return (value, context) -> {
            try {
                return parseIecSize(value);
            } catch (NumberFormatException e) {
                throw InvalidValueException.ignoring(
                        "Failed to parse size value '" + value + "', ignoring: " + Errno.of(e).text());
            }
        };
    }

    private static final String[] SIZE_SUFFIXES = {"E", "P", "T", "G", "M", "K", "B", ""};
    private static final long[] SIZE_FACTORS = {1L << 60, 1L << 50, 1L << 40, 1L << 30, 1L << 20, 1L << 10, 1, 1};

    /** {@code parse_size(t, 1024)}; throws with EINVAL or ERANGE as message. */
    public static long parseIecSize(String text) {
        int p = 0;
        long total = 0;
        int startSuffix = 0;
        do {
            p = skipWhitespace(text, p);
            int numberStart = p;
            boolean negative = p < text.length() && text.charAt(p) == '-';
            if (p < text.length() && (text.charAt(p) == '+' || text.charAt(p) == '-')) {
                p++;
            }
            int digitsStart = p;
            while (p < text.length() && isDigit(text.charAt(p))) {
                p++;
            }
            if (p == digitsStart) {
                throw new NumberFormatException("EINVAL");
            }
            if (negative) {
                throw new NumberFormatException("ERANGE");
            }
            long whole = parseDecimal(text.substring(digitsStart, p));
            double fraction = 0;
            if (p < text.length() && text.charAt(p) == '.') {
                p++;
                int fractionStart = p;
                while (p < text.length() && isDigit(text.charAt(p))) {
                    p++;
                }
                if (p > fractionStart) {
                    fraction = Double.parseDouble("0." + text.substring(fractionStart, p));
                }
            }
            p = skipWhitespace(text, p);
            int suffix = startSuffix;
            while (suffix < SIZE_SUFFIXES.length && !text.startsWith(SIZE_SUFFIXES[suffix], p)) {
                suffix++;
            }
            if (suffix >= SIZE_SUFFIXES.length) {
                throw new NumberFormatException("EINVAL");
            }
            long factor = SIZE_FACTORS[suffix];
            if (whole + (fraction > 0 ? 1 : 0) > Long.MAX_VALUE / factor) {
                throw new NumberFormatException("ERANGE");
            }
            long part = whole * factor + (long) (fraction * factor);
            if (part > Long.MAX_VALUE - total) {
                throw new NumberFormatException("ERANGE");
            }
            total += part;
            p += SIZE_SUFFIXES[suffix].length();
            startSuffix = suffix + 1;
            if (numberStart == p) {
                throw new NumberFormatException("EINVAL");
            }
        } while (p < text.length());
        return total;
    }

    /** A name from a fixed set, failing with {@code messagePrefix + ", ignoring: " + value}. */
    public static <T> ValueParser<T> oneOf(Map<String, T> names, String messagePrefix) {
        return (value, context) -> {
            T parsed = names.get(value);
            if (parsed == null) {
                throw InvalidValueException.ignoring(messagePrefix + ", ignoring: " + value);
            }
            return parsed;
        };
    }

    /** The value as written, no specifiers ({@code config_parse_string}). */
    public static ValueParser<String> string() {
        return (value, context) -> value;
    }

    /** The value with specifiers expanded ({@code config_parse_unit_string_printf}). */
    public static ValueParser<String> stringPrintf() {
        return (value, context) -> context.expand(value, Specifiers.Table.FULL, Specifiers.PATH_MAX,
                "Failed to resolve unit specifiers in %s, ignoring: %s");
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

    static int skipWhitespace(String s, int p) {
        while (p < s.length() && " \t\n\r".indexOf(s.charAt(p)) >= 0) {
            p++;
        }
        return p;
    }
}
