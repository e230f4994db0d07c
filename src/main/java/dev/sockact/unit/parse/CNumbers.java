package dev.sockact.unit.parse;

/**
 * Integer parsing with the C library's rules as systemd uses them ({@code safe_atou}, {@code safe_atoi},
 * {@code safe_atolli}): strtoul/strtol with base detection ({@code 0x} hex, leading {@code 0} octal), leading
 * whitespace skipped, nothing allowed after the digits. Failures throw {@link NumberFormatException} whose message
 * is the errno name ({@code EINVAL} or {@code ERANGE}).
 */
public final class CNumbers {

    private CNumbers() {
    }

    /** {@code safe_atou()}: unsigned 32-bit, base 0. {@code -0} is 0, other negatives are ERANGE. */
    public static long parseUnsigned32(String s) {
        return parseUnsigned(s, 0, false, 0xFFFF_FFFFL);
    }

    /** {@code safe_atoi()}: signed 32-bit, base 0. */
    public static int parseInt32(String s) {
        return (int) parseSigned(s, Integer.MIN_VALUE, Integer.MAX_VALUE);
    }

    /** {@code safe_atoli()}: signed 64-bit, base 0. */
    public static long parseLong(String s) {
        return parseSigned(s, Long.MIN_VALUE, Long.MAX_VALUE);
    }

    /** {@code safe_atou_full(s, base, ...)} with {@code +}/{@code -} refused, as parse_mode() needs for base 8. */
    public static long parseUnsignedNoSign(String s, int base, long max) {
        String t = s.stripLeading();
        if (!t.isEmpty() && (t.charAt(0) == '+' || t.charAt(0) == '-')) {
            throw new NumberFormatException("EINVAL");
        }
        return parseUnsigned(t, base, false, max);
    }

    /**
     * Like strtoul with base 0, and also {@code 0b} binary and {@code 0o} octal prefixes: systemd's
     * {@code parse_ip_port()} reads ports this way.
     */
    public static long parseUnsignedWithPrefixes(String s, long max) {
        return parseUnsigned(s, 0, true, max);
    }

    private static long parseUnsigned(String s, int base, boolean binaryAndOctalPrefixes, long max) {
        int p = skipWhitespace(s, 0);
        boolean negative = false;
        if (p < s.length() && (s.charAt(p) == '+' || s.charAt(p) == '-')) {
            negative = s.charAt(p) == '-';
            p++;
        }
        Digits digits = digits(s, p, base, binaryAndOctalPrefixes);
        if (digits.end != s.length()) {
            throw new NumberFormatException("EINVAL");
        }
        if (digits.overflow) {
            throw new NumberFormatException("ERANGE");
        }
        if (negative && digits.value != 0) {
            throw new NumberFormatException("ERANGE");
        }
        if (Long.compareUnsigned(digits.value, max) > 0) {
            throw new NumberFormatException("ERANGE");
        }
        return digits.value;
    }

    private static long parseSigned(String s, long min, long max) {
        int p = skipWhitespace(s, 0);
        boolean negative = false;
        if (p < s.length() && (s.charAt(p) == '+' || s.charAt(p) == '-')) {
            negative = s.charAt(p) == '-';
            p++;
        }
        Digits digits = digits(s, p, 0, false);
        if (digits.end != s.length()) {
            throw new NumberFormatException("EINVAL");
        }
        if (digits.overflow || digits.value < 0) {
            throw new NumberFormatException("ERANGE");
        }
        long value = negative ? -digits.value : digits.value;
        if (value < min || value > max) {
            throw new NumberFormatException("ERANGE");
        }
        return value;
    }

    private record Digits(long value, int end, boolean overflow) {
    }

    /** Reads digits from {@code p} like strtoul; {@code end} is where parsing stopped (== p when nothing was read). */
    private static Digits digits(String s, int start, int base, boolean binaryAndOctalPrefixes) {
        int p = start;
        if (base == 0) {
            if (startsWithIgnoreCase(s, p, "0x") && isDigitIn(s, p + 2, 16)) {
                base = 16;
                p += 2;
            } else if (binaryAndOctalPrefixes && startsWithIgnoreCase(s, p, "0b") && isDigitIn(s, p + 2, 2)) {
                base = 2;
                p += 2;
            } else if (binaryAndOctalPrefixes && startsWithIgnoreCase(s, p, "0o") && isDigitIn(s, p + 2, 8)) {
                base = 8;
                p += 2;
            } else if (p < s.length() && s.charAt(p) == '0') {
                base = 8;
            } else {
                base = 10;
            }
        } else if (base == 16 && startsWithIgnoreCase(s, p, "0x") && isDigitIn(s, p + 2, 16)) {
            p += 2;
        }
        int digitsStart = p;
        long value = 0;
        boolean overflow = false;
        while (p < s.length() && Character.digit(s.charAt(p), base) >= 0 && s.charAt(p) < 128) {
            int digit = Character.digit(s.charAt(p), base);
            if (Long.compareUnsigned(value, Long.divideUnsigned(-1L - digit, base)) > 0) {
                overflow = true;
            }
            value = value * base + digit;
            p++;
        }
        if (p == digitsStart) {
            return new Digits(0, -1, false);   // strtoul read nothing: EINVAL whatever follows
        }
        return new Digits(value, p, overflow);
    }

    private static boolean isDigitIn(String s, int p, int base) {
        return p < s.length() && s.charAt(p) < 128 && Character.digit(s.charAt(p), base) >= 0;
    }

    private static boolean startsWithIgnoreCase(String s, int p, String prefix) {
        return s.regionMatches(true, p, prefix, 0, prefix.length());
    }

    private static int skipWhitespace(String s, int p) {
        while (p < s.length() && " \t\n\r\f\u000b".indexOf(s.charAt(p)) >= 0) {
            p++;
        }
        return p;
    }
}
