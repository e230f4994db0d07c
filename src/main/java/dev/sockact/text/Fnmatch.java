package dev.sockact.text;

/**
 * glibc's {@code fnmatch(3)} without FNM_PATHNAME or FNM_PERIOD: {@code *} matches any run (slashes included),
 * {@code ?} one character, {@code [...]} a set ({@code !} or {@code ^} negates, {@code a-z} ranges), a backslash
 * quotes the next character. With {@code caseFold}, FNM_CASEFOLD.
 */
public final class Fnmatch {

    private Fnmatch() {
    }

    public static boolean matches(String pattern, String text, boolean caseFold) {
        return match(pattern, 0, text, 0, caseFold);
    }

    /** Whether {@code pattern} has any of glob's special characters ({@code string_is_glob()}). */
    public static boolean isPattern(String pattern) {
        return pattern.chars().anyMatch(c -> c == '*' || c == '?' || c == '[');
    }

    private static boolean match(String p, int pi, String t, int ti, boolean fold) {
        while (pi < p.length()) {
            char c = p.charAt(pi);
            switch (c) {
                case '*' -> {
                    while (pi < p.length() && p.charAt(pi) == '*') {
                        pi++;
                    }
                    if (pi == p.length()) {
                        return true;
                    }
                    for (int k = ti; k <= t.length(); k++) {
                        if (match(p, pi, t, k, fold)) {
                            return true;
                        }
                    }
                    return false;
                }
                case '?' -> {
                    if (ti >= t.length()) {
                        return false;
                    }
                    pi++;
                    ti++;
                }
                case '[' -> {
                    int end = setEnd(p, pi);
                    if (end < 0) {
                        // An unclosed '[' is an ordinary character.
                        if (ti >= t.length() || !same('[', t.charAt(ti), fold)) {
                            return false;
                        }
                        pi++;
                        ti++;
                    } else {
                        if (ti >= t.length() || !inSet(p, pi + 1, end, t.charAt(ti), fold)) {
                            return false;
                        }
                        pi = end + 1;
                        ti++;
                    }
                }
                default -> {
                    if (c == '\\' && pi + 1 < p.length()) {
                        pi++;
                        c = p.charAt(pi);
                    }
                    if (ti >= t.length() || !same(c, t.charAt(ti), fold)) {
                        return false;
                    }
                    pi++;
                    ti++;
                }
            }
        }
        return ti == t.length();
    }

    /** The index of the ']' that closes the set opened at {@code open}, or -1. */
    private static int setEnd(String p, int open) {
        int i = open + 1;
        if (i < p.length() && (p.charAt(i) == '!' || p.charAt(i) == '^')) {
            i++;
        }
        if (i < p.length() && p.charAt(i) == ']') {
            i++;   // a ']' first in the set is a member
        }
        for (; i < p.length(); i++) {
            if (p.charAt(i) == '\\' && i + 1 < p.length()) {
                i++;
            } else if (p.charAt(i) == ']') {
                return i;
            }
        }
        return -1;
    }

    private static boolean inSet(String p, int from, int end, char c, boolean fold) {
        boolean negated = p.charAt(from) == '!' || p.charAt(from) == '^';
        int i = negated ? from + 1 : from;
        boolean found = false;
        while (i < end) {
            char lo = p.charAt(i);
            if (lo == '\\' && i + 1 < end) {
                lo = p.charAt(++i);
            }
            i++;
            char hi = lo;
            if (i + 1 < end && p.charAt(i) == '-') {
                hi = p.charAt(i + 1);
                if (hi == '\\' && i + 2 < end) {
                    hi = p.charAt(i + 2);
                    i++;
                }
                i += 2;
            }
            if (inRange(c, lo, hi) || (fold && (inRange(Character.toLowerCase(c), lo, hi)
                    || inRange(Character.toUpperCase(c), lo, hi)))) {
                found = true;
            }
        }
        return found != negated;
    }

    private static boolean inRange(char c, char lo, char hi) {
        return c >= lo && c <= hi;
    }

    private static boolean same(char a, char b, boolean fold) {
        return a == b || (fold && Character.toLowerCase(a) == Character.toLowerCase(b));
    }
}
