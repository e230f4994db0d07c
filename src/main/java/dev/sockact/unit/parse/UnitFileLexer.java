package dev.sockact.unit.parse;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits a unit file into section headers and assignments with systemd's line rules ({@code config_parse()} in
 * conf-parser.c): {@code #}/{@code ;} comment lines, a trailing unescaped backslash joins the next line (comment
 * lines inside are skipped), a 1 MiB bound per logical line, a UTF-8 BOM skipped once. Line numbers are those of
 * the last physical line of a continued line, as systemd reports them.
 */
public final class UnitFileLexer {

    /** systemd's LONG_LINE_MAX. */
    public static final int LONG_LINE_MAX = 1024 * 1024;

    /** One meaningful line of a unit file. */
    public sealed interface Entry {
        int line();
    }

    /** {@code [Name]}. */
    public record SectionHeader(int line, String name) implements Entry {
    }

    /** {@code Key=value}, both stripped. */
    public record Assignment(int line, String key, String value) implements Entry {
    }

    /** A line that cannot be used; a fatal one ends the file. */
    public record Problem(int line, String message, boolean fatal) implements Entry {
    }

    private UnitFileLexer() {
    }

    public static List<Entry> lex(byte[] content) {
        List<Entry> entries = new ArrayList<>();
        StringBuilder continuation = null;
        int lineNumber = 0;
        int start = 0;
        if (content.length >= 3 && (content[0] & 0xff) == 0xEF && (content[1] & 0xff) == 0xBB
                && (content[2] & 0xff) == 0xBF) {
            start = 3;
        }
        while (start < content.length) {
            int end = start;
            while (end < content.length && content[end] != '\n') {
                end++;
            }
            lineNumber++;
            int length = end - start;
            if (length > 0 && content[end - 1] == '\r') {
                length--;
            }
            if (length > LONG_LINE_MAX) {
                entries.add(new Problem(lineNumber, "Line too long", true));
                return entries;
            }
            String line = decode(content, start, length);
            start = end + 1;
            if (line == null) {
                entries.add(new Problem(lineNumber, "String is not UTF-8 clean, ignoring assignment", false));
                continuation = null;
                continue;
            }
            String stripped = line.stripLeading();
            if (!stripped.isEmpty() && (stripped.charAt(0) == '#' || stripped.charAt(0) == ';')) {
                continue;   // comments are skipped, also in the middle of a continued line
            }
            // Only this line is scanned and appended, never the whole logical line again: a file of 100,000
            // continued lines is read in linear time (it took minutes when each line re-copied and re-scanned all).
            // The joined text before it ends in the space that replaced a backslash, so no escape carries over.
            boolean continues = endsWithUnescapedBackslash(line);
            String logical;
            if (continuation != null) {
                if (continuation.length() + line.length() > LONG_LINE_MAX) {
                    entries.add(new Problem(lineNumber, "Continuation line too long", true));
                    return entries;
                }
                if (continues) {
                    continuation.append(line, 0, line.length() - 1).append(' ');
                    continue;
                }
                logical = continuation.append(line).toString();
            } else if (continues) {
                continuation = new StringBuilder().append(line, 0, line.length() - 1).append(' ');
                continue;
            } else {
                logical = line;
            }
            continuation = null;
            Entry entry = parseLine(lineNumber, logical);
            if (entry != null) {
                entries.add(entry);
                if (entry instanceof Problem problem && problem.fatal()) {
                    return entries;
                }
            }
        }
        if (continuation != null) {
            Entry entry = parseLine(lineNumber, continuation.toString());
            if (entry != null) {
                entries.add(entry);
            }
        }
        return entries;
    }

    private static boolean endsWithUnescapedBackslash(String s) {
        boolean escaped = false;
        for (int i = 0; i < s.length(); i++) {
            if (escaped) {
                escaped = false;
            } else if (s.charAt(i) == '\\') {
                escaped = true;
            }
        }
        return escaped;
    }

    /** {@code parse_line()}: the order of checks matters for which message a line gets. */
    private static Entry parseLine(int line, String text) {
        String l = text.strip();
        if (l.isEmpty()) {
            return null;
        }
        if (l.charAt(0) == '[') {
            if (l.length() < 2 || l.charAt(l.length() - 1) != ']') {
                return new Problem(line, "Invalid section header '" + l + "'", true);
            }
            return new SectionHeader(line, l.substring(1, l.length() - 1));
        }
        int eq = l.indexOf('=');
        if (eq < 0) {
            return new Assignment(line, null, l);
        }
        return new Assignment(line, l.substring(0, eq).strip(), l.substring(eq + 1).strip());
    }

    private static String decode(byte[] content, int offset, int length) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(content, offset, length)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
