package dev.sockact.unit.parse;

import dev.sockact.unit.ExecCommand;
import dev.sockact.unit.ExecCommand.Flag;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Exec*= lines ({@code config_parse_exec}): specifiers first, then commands separated by a lone {@code ;}, each
 * with optional prefixes {@code -@:+!} / {@code !!}, quoting and C escapes. {@code \;} is a literal {@code ;}
 * argument. Errors are fatal for the unit unless the command has the {@code -} prefix, as in systemd.
 */
public final class ExecLineParser implements ValueParser<List<ExecCommand>> {

    private static final String WHITESPACE = " \t\n\r";

    @Override
    public List<ExecCommand> parse(String rawValue, ParseContext context) throws InvalidValueException {
        String value = rawValue;   // specifiers are expanded per word, after quotes are resolved
        List<ExecCommand> commands = new ArrayList<>();
        int p = 0;
        boolean semicolon;
        do {
            semicolon = false;
            Words.Word first = word(value, p, rawValue, context, false);
            if (first.text() == null) {
                return commands;
            }
            p = first.end();
            String f = first.text();
            Set<Flag> flags = EnumSet.noneOf(Flag.class);
            boolean separateArgv0 = false;
            int i = 0;
            for (; i < f.length(); i++) {
                char c = f.charAt(i);
                boolean privileged = flags.contains(Flag.FULL_PRIVILEGES) || flags.contains(Flag.AMBIENT_PRIVILEGES)
                        || flags.contains(Flag.NO_SETUID_FALLBACK);
                if (c == '-' && !flags.contains(Flag.IGNORE_FAILURE)) {
                    flags.add(Flag.IGNORE_FAILURE);
                } else if (c == '@' && !separateArgv0) {
                    separateArgv0 = true;
                    flags.add(Flag.ARGV0);
                } else if (c == ':' && !flags.contains(Flag.NO_ENV_EXPAND)) {
                    flags.add(Flag.NO_ENV_EXPAND);
                } else if (c == '+' && !privileged) {
                    flags.add(Flag.FULL_PRIVILEGES);
                } else if (c == '!' && !privileged) {
                    flags.add(Flag.AMBIENT_PRIVILEGES);
                } else if (c == '!' && !flags.contains(Flag.FULL_PRIVILEGES)
                        && !flags.contains(Flag.NO_SETUID_FALLBACK)) {
                    flags.remove(Flag.AMBIENT_PRIVILEGES);
                    flags.add(Flag.NO_SETUID_FALLBACK);
                } else {
                    break;
                }
            }
            boolean ignore = flags.contains(Flag.IGNORE_FAILURE);
            String path = expandWord(f.substring(i), context, ignore);
            String ignoring = ignore ? ", ignoring" : "";
            if (path.isEmpty()) {
                throw failure(ignore, "Empty path in command line" + ignoring + ": '" + rawValue + "'");
            }
            if (!isSafe(path)) {
                throw failure(ignore, "Executable name contains special characters" + ignoring + ": " + path);
            }
            if (path.endsWith("/")) {
                throw failure(ignore, "Executable path specifies a directory" + ignoring + ": " + path);
            }
            if (!path.startsWith("/") && !isValidFilename(path)) {
                throw failure(ignore, "Neither a valid executable name nor an absolute path" + ignoring + ": "
                        + path);
            }
            if (!isNormalized(path)) {
                throw failure(ignore, "Executable path is not normalized" + ignoring + ": " + path);
            }
            List<String> argv = new ArrayList<>();
            if (!separateArgv0) {
                argv.add(path);
            }
            while ((p = skipWhitespace(value, p)) < value.length()) {
                if (value.charAt(p) == ';' && (p + 1 == value.length() || isWhitespace(value.charAt(p + 1)))) {
                    p = skipWhitespace(value, p + 1);
                    semicolon = true;
                    break;
                }
                if (value.startsWith("\\;", p) && (p + 2 == value.length() || isWhitespace(value.charAt(p + 2)))) {
                    argv.add(";");
                    p = skipWhitespace(value, p + 2);
                    continue;
                }
                Words.Word word = word(value, p, rawValue, context, ignore);
                if (word.text() == null) {
                    p = word.end();
                    break;
                }
                argv.add(expandWord(word.text(), context, ignore));
                p = word.end();
            }
            if (argv.isEmpty()) {
                throw failure(ignore, "Empty executable name or zeroeth argument" + ignoring + ": " + rawValue);
            }
            commands.add(new ExecCommand(path, argv, flags));
        } while (semicolon);
        return commands;
    }

    /**
     * {@code extract_first_word_and_warn()}: an invalid escape is retried relaxed with a warning; unbalanced quoting
     * is fatal unless the command ignores failure.
     */
    private static Words.Word word(String value, int p, String rawValue, ParseContext context, boolean ignore)
            throws InvalidValueException {
        try {
            return Words.next(value, p, true, false);
        } catch (Words.SyntaxException e) {
            try {
                Words.Word relaxed = Words.next(value, p, true, true);
                if (!hasUnbalancedQuote(value, p, relaxed.end())) {
                    context.warn("Ignoring unknown escape sequences: \"" + relaxed.text() + "\"");
                    return relaxed;
                }
            } catch (Words.SyntaxException impossible) {
                // relaxed parsing does not fail
            }
            throw failure(ignore, "Unbalanced quoting, ignoring: \"" + rawValue + "\"");
        }
    }

    private static boolean hasUnbalancedQuote(String value, int start, int end) {
        char quote = 0;
        for (int i = start; i < end; i++) {
            char c = value.charAt(i);
            if (c == '\\') {
                i++;
            } else if (quote == 0 && (c == '"' || c == '\'')) {
                quote = c;
            } else if (c == quote) {
                quote = 0;
            }
        }
        return quote != 0 || (end == value.length() && value.endsWith("\\") && !value.endsWith("\\\\"));
    }

    private static String expandWord(String word, ParseContext context, boolean ignore)
            throws InvalidValueException {
        try {
            return context.expand(word, Specifiers.Table.FULL, Specifiers.PATH_MAX, "%s%s");
        } catch (InvalidValueException e) {
            String reason = e.getMessage().substring(word.length());
            throw failure(ignore, "Failed to resolve unit specifiers in " + word + (ignore ? ", ignoring" : "")
                    + ": " + reason);
        }
    }

    private static InvalidValueException failure(boolean ignore, String message) {
        return ignore ? InvalidValueException.ignoring(message) : InvalidValueException.fatal(message);
    }

    /** {@code string_is_safe()}: no control characters, quotes or backslashes. */
    private static boolean isSafe(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < ' ' || c == 0x7f || c == '"' || c == '\'' || c == '\\') {
                return false;
            }
        }
        return true;
    }

    private static boolean isValidFilename(String s) {
        return !s.isEmpty() && !s.equals(".") && !s.equals("..") && s.indexOf('/') < 0 && s.length() <= 255;
    }

    /** {@code path_is_normalized()}: no {@code .}/{@code ..} components and no {@code //}. */
    private static boolean isNormalized(String path) {
        if (path.equals(".") || path.startsWith("./") || path.endsWith("/.") || path.contains("/./")
                || path.equals("..") || path.startsWith("../") || path.endsWith("/..") || path.contains("/../")) {
            return false;
        }
        return !path.contains("//");
    }

    private static boolean isWhitespace(char c) {
        return WHITESPACE.indexOf(c) >= 0;
    }

    private static int skipWhitespace(String s, int p) {
        while (p < s.length() && isWhitespace(s.charAt(p))) {
            p++;
        }
        return p;
    }
}
