package dev.sockact.unit.parse;

/**
 * {@code extract_first_word()} with {@code EXTRACT_UNQUOTE} and optionally {@code EXTRACT_CUNESCAPE}: words are
 * separated by whitespace; single and double quotes group, anywhere in a word; backslash escapes are C escapes.
 */
final class Words {

    /** The next word and where reading stopped, or {@code null} word at the end of the input. */
    record Word(String text, int end) {
    }

    /** Unbalanced quotes or a bad escape: EINVAL in systemd. */
    static final class SyntaxException extends Exception {
        private static final long serialVersionUID = 1L;

        SyntaxException() {
            super(null, null, false, false);
        }
    }

    private static final String WHITESPACE = " \t\n\r";

    private Words() {
    }

    /**
     * Reads one word from {@code s} at {@code p}.
     *
     * @param cunescape resolve C escapes ({@code \n}, {@code \x41}, ...)
     * @param relax     keep unknown escapes and a trailing backslash literally instead of failing
     */
    static Word next(String s, int p, boolean cunescape, boolean relax) throws SyntaxException {
        while (p < s.length() && WHITESPACE.indexOf(s.charAt(p)) >= 0) {
            p++;
        }
        if (p >= s.length()) {
            return new Word(null, p);
        }
        StringBuilder word = new StringBuilder();
        char quote = 0;
        while (p < s.length()) {
            char c = s.charAt(p);
            if (c == '\\') {
                if (p + 1 >= s.length()) {
                    if (!relax) {
                        throw new SyntaxException();
                    }
                    word.append('\\');
                    p++;
                    continue;
                }
                p = cunescape ? unescapeOne(s, p + 1, word, relax) : appendLiteral(s, p + 1, word);
                continue;
            }
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    word.append(c);
                }
                p++;
                continue;
            }
            if (c == '\'' || c == '"') {
                quote = c;
                p++;
                continue;
            }
            if (WHITESPACE.indexOf(c) >= 0) {
                break;
            }
            word.append(c);
            p++;
        }
        if (quote != 0 && !relax) {
            throw new SyntaxException();
        }
        return new Word(word.toString(), p);
    }

    private static int appendLiteral(String s, int p, StringBuilder word) {
        word.append(s.charAt(p));
        return p + 1;
    }

    /** {@code cunescape_one()}: the escape after a backslash at {@code p}; returns the index after it. */
    private static int unescapeOne(String s, int p, StringBuilder word, boolean relax) throws SyntaxException {
        char c = s.charAt(p);
        String simple = switch (c) {
            case 'a' -> "\u0007";
            case 'b' -> "\b";
            case 'f' -> "\f";
            case 'n' -> "\n";
            case 'r' -> "\r";
            case 't' -> "\t";
            case 'v' -> "\u000b";
            case '\\', '"', '\'' -> String.valueOf(c);
            case 's' -> " ";
            default -> null;
        };
        if (simple != null) {
            word.append(simple);
            return p + 1;
        }
        int codePoint = -1;
        int end = p;
        if (c == 'x' && hexDigits(s, p + 1, 2)) {
            codePoint = Integer.parseInt(s.substring(p + 1, p + 3), 16);
            end = p + 3;
        } else if (c == 'u' && hexDigits(s, p + 1, 4)) {
            codePoint = Integer.parseInt(s.substring(p + 1, p + 5), 16);
            end = p + 5;
        } else if (c == 'U' && hexDigits(s, p + 1, 8)) {
            codePoint = (int) Long.parseLong(s.substring(p + 1, p + 9), 16);
            end = p + 9;
        } else if (c >= '0' && c <= '7' && octalDigits(s, p, 3)) {
            codePoint = Integer.parseInt(s.substring(p, p + 3), 8);
            end = p + 3;
        }
        if (codePoint == 0 || codePoint > 0x10FFFF || (codePoint < 0)) {
            if (!relax) {
                throw new SyntaxException();
            }
            word.append('\\').append(c);
            return p + 1;
        }
        word.appendCodePoint(codePoint);
        return end;
    }

    private static boolean hexDigits(String s, int p, int count) {
        if (p + count > s.length()) {
            return false;
        }
        for (int i = p; i < p + count; i++) {
            if (Character.digit(s.charAt(i), 16) < 0 || s.charAt(i) >= 128) {
                return false;
            }
        }
        return true;
    }

    private static boolean octalDigits(String s, int p, int count) {
        if (p + count > s.length()) {
            return false;
        }
        for (int i = p; i < p + count; i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '7') {
                return false;
            }
        }
        return true;
    }
}
