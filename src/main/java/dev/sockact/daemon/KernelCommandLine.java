package dev.sockact.daemon;

import dev.sockact.unit.parse.Values;

import java.util.ArrayList;
import java.util.List;

/**
 * systemd's {@code proc_cmdline()}: the kernel command line as words (quotes group, and are removed). In a
 * container it is pid 1's command line, as systemd takes it; {@code $SYSTEMD_PROC_CMDLINE} overrides both.
 */
final class KernelCommandLine {

    private KernelCommandLine() {
    }

    static List<String> words() {
        String override = System.getenv("SYSTEMD_PROC_CMDLINE");
        String line;
        if (override != null) {
            line = override;
        } else if (!Virtualization.container().equals(Virtualization.NONE)) {
            line = Virtualization.read("/proc/1/cmdline").replace('\0', ' ');
        } else {
            line = Virtualization.read("/proc/cmdline");
        }
        return split(line);
    }

    /** {@code proc_cmdline_get_bool()}: the last {@code key=value} (or a bare {@code key}: true); null if absent. */
    static Boolean bool(String key) {
        Boolean value = null;
        for (String word : words()) {
            if (word.equals(key)) {
                value = true;
            } else if (word.startsWith(key + "=")) {
                Boolean b = Values.parseBoolean(word.substring(key.length() + 1));
                if (b != null) {
                    value = b;
                }
            }
        }
        return value;
    }

    /** Words separated by whitespace; single or double quotes group and are dropped (EXTRACT_UNQUOTE|RELAX). */
    static List<String> split(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder word = null;
        char quote = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    word.append(c);
                }
            } else if (Character.isWhitespace(c)) {
                if (word != null) {
                    words.add(word.toString());
                    word = null;
                }
            } else {
                if (word == null) {
                    word = new StringBuilder();
                }
                if (c == '"' || c == '\'') {
                    quote = c;
                } else {
                    word.append(c);
                }
            }
        }
        if (word != null) {
            words.add(word.toString());
        }
        return words;
    }
}
