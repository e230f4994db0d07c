package dev.sockact.text;

/**
 * systemd's {@code strverscmp_improved()}: compares version strings segment by segment. Digits compare as numbers,
 * letters as text; {@code ~} sorts before everything (pre-releases: {@code 1~rc1 < 1}), {@code -} separates version
 * from release, {@code ^} marks patches, {@code .} separates segments; other characters are skipped.
 */
public final class VersionComparison {

    private VersionComparison() {
    }

    /** Negative, zero or positive as {@code a} is older than, the same as, or newer than {@code b}. */
    public static int compare(String a, String b) {
        if (a == null || b == null || a.isEmpty() || b.isEmpty()) {
            return Integer.signum(a == null ? (b == null ? 0 : -1) : b == null ? 1 : a.compareTo(b));
        }
        int i = 0;
        int j = 0;
        while (true) {
            while (i < a.length() && !valid(a.charAt(i))) {
                i++;
            }
            while (j < b.length() && !valid(b.charAt(j))) {
                j++;
            }
            int r;
            if (at(a, i) == '~' || at(b, j) == '~') {
                r = Boolean.compare(at(a, i) != '~', at(b, j) != '~');
                if (r != 0) {
                    return r;
                }
                i++;
                j++;
            }
            if (i >= a.length() || j >= b.length()) {
                return Integer.signum(a.substring(Math.min(i, a.length())).compareTo(b.substring(Math.min(j, b.length()))));
            }
            for (char sep : new char[] {'-', '^'}) {
                if (at(a, i) == sep || at(b, j) == sep) {
                    r = Boolean.compare(at(a, i) != sep, at(b, j) != sep);
                    if (r != 0) {
                        return r;
                    }
                    i++;
                    j++;
                }
            }
            if (at(a, i) == '.' || at(b, j) == '.') {
                r = Boolean.compare(at(a, i) == '.', at(b, j) == '.');
                if (r != 0) {
                    return r;
                }
                i++;
                j++;
            }
            int ii = i;
            int jj = j;
            if (isDigit(at(a, i)) || isDigit(at(b, j))) {
                while (isDigit(at(a, ii))) {
                    ii++;
                }
                while (isDigit(at(b, jj))) {
                    jj++;
                }
                r = Boolean.compare(i != ii, j != jj);
                if (r != 0) {
                    return r;
                }
                while (at(a, i) == '0') {
                    i++;
                }
                while (at(b, j) == '0') {
                    j++;
                }
                r = Integer.compare(ii - i, jj - j);
                if (r != 0) {
                    return r;
                }
                r = Integer.signum(a.substring(i, ii).compareTo(b.substring(j, jj)));
                if (r != 0) {
                    return r;
                }
            } else {
                while (isAlpha(at(a, ii))) {
                    ii++;
                }
                while (isAlpha(at(b, jj))) {
                    jj++;
                }
                int n = Math.min(ii - i, jj - j);
                r = Integer.signum(a.substring(i, i + n).compareTo(b.substring(j, j + n)));
                if (r != 0) {
                    return r;
                }
                r = Integer.compare(ii - i, jj - j);
                if (r != 0) {
                    return r;
                }
            }
            i = ii;
            j = jj;
        }
    }

    /** The character at {@code i}, or NUL past the end (as the C code reads its terminator). */
    private static char at(String s, int i) {
        return i < s.length() ? s.charAt(i) : '\0';
    }

    private static boolean valid(char c) {
        return isDigit(c) || isAlpha(c) || c == '~' || c == '-' || c == '^' || c == '.';
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isAlpha(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }
}
