package dev.sockact.unit.parse;

import dev.sockact.unit.UnitName;

import java.util.ArrayList;
import java.util.List;

/** Parsers for the space-separated list keys: unit names, URLs, environment assignments, paths. */
public final class ListParsers {

    private ListParsers() {
    }

    /** Splits like {@code extract_first_word(EXTRACT_UNQUOTE)}; an unbalanced quote gives "Invalid syntax". */
    static List<String> words(String value, boolean cunescape, String rawValue) throws InvalidValueException {
        List<String> words = new ArrayList<>();
        int p = 0;
        while (true) {
            Words.Word word;
            try {
                word = Words.next(value, p, cunescape, false);
            } catch (Words.SyntaxException e) {
                throw InvalidValueException.ignoring("Invalid syntax, ignoring: " + rawValue);
            }
            if (word.text() == null) {
                return words;
            }
            words.add(word.text());
            p = word.end();
        }
    }

    /** Plain words, no specifiers (e.g. [Install] Also=). */
    public static ValueParser<List<String>> strings() {
        return (value, context) -> words(value, false, value);
    }

    /** Requires=, After=, ...: unit names with the name specifiers; a bad name is skipped with a warning. */
    public static ValueParser<List<String>> unitNames() {
        return (value, context) -> {
            List<String> names = new ArrayList<>();
            for (String word : words(value, false, value)) {
                String name;
                try {
                    name = context.expand(word, Specifiers.Table.NAME, UnitName.MAX_LENGTH,
                            "Failed to resolve unit specifiers in %s, ignoring: %s");
                } catch (InvalidValueException e) {
                    context.warn(e.getMessage());
                    continue;
                }
                if (UnitName.parse(name).isEmpty()) {
                    context.warn("Failed to add dependency on " + name + ", ignoring: " + Errno.EINVAL.text());
                    continue;
                }
                names.add(name);
            }
            return names;
        };
    }

    /** Documentation=: URLs of the schemes systemd accepts. */
    public static ValueParser<List<String>> documentationUrls() {
        return (value, context) -> {
            List<String> urls = new ArrayList<>();
            for (String word : words(value, false, value)) {
                String url = context.expandFull(word);
                if (!(url.startsWith("http://") || url.startsWith("https://") || url.startsWith("file:")
                        || url.startsWith("info:") || url.startsWith("man:")) || url.contains(" ")) {
                    context.warn("Invalid URL, ignoring: " + url);
                    continue;
                }
                urls.add(url);
            }
            return urls;
        };
    }

    /** Environment=: {@code NAME=value} words with C escapes; invalid ones are skipped with a warning. */
    public static ValueParser<List<String>> environment() {
        return (value, context) -> {
            List<String> assignments = new ArrayList<>();
            for (String word : wordsRelaxed(value)) {
                String assignment = context.expandFull(word);
                int eq = assignment.indexOf('=');
                if (eq <= 0 || !isEnvName(assignment.substring(0, eq))) {
                    context.warn("Invalid environment assignment, ignoring: " + assignment);
                    continue;
                }
                assignments.add(assignment);
            }
            return assignments;
        };
    }

    /** PassEnvironment=, UnsetEnvironment=: variable names. */
    public static ValueParser<List<String>> environmentNames() {
        return (value, context) -> {
            List<String> names = new ArrayList<>();
            for (String word : wordsRelaxed(value)) {
                String name = context.expandFull(word);
                if (!isEnvName(name.contains("=") ? name.substring(0, name.indexOf('=')) : name)) {
                    context.warn("Invalid environment name in " + context.key() + ", ignoring: " + name);
                    continue;
                }
                names.add(name);
            }
            return names;
        };
    }

    /** Symlinks=: absolute paths with specifiers. */
    public static ValueParser<List<String>> absolutePaths() {
        return (value, context) -> {
            List<String> paths = new ArrayList<>();
            for (String word : words(value, false, value)) {
                String expanded = context.expandFull(word);
                try {
                    paths.add(AbsolutePaths.check(expanded, context.key(), expanded));
                } catch (InvalidValueException e) {
                    context.warn(e.getMessage());
                }
            }
            return paths;
        };
    }

    private static List<String> wordsRelaxed(String value) {
        List<String> words = new ArrayList<>();
        int p = 0;
        while (true) {
            Words.Word word;
            try {
                word = Words.next(value, p, true, true);
            } catch (Words.SyntaxException impossible) {
                return words;   // relaxed reading does not fail
            }
            if (word.text() == null) {
                return words;
            }
            words.add(word.text());
            p = word.end();
        }
    }

    static boolean isEnvName(String name) {
        if (name.isEmpty() || Character.isDigit(name.charAt(0))) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!(c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) {
                return false;
            }
        }
        return true;
    }
}
