package dev.sockact.daemon;

import dev.sockact.text.Fnmatch;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code glob_exists()}: whether glob(3) with GLOB_BRACE finds anything for an absolute pattern. Braces expand
 * first ({@code /etc/{a,b}.conf}); then each component with {@code * ? [} is matched against the directory's
 * entries (a leading dot only by a pattern that starts with one), the others are taken as they are.
 */
final class Globs {

    private Globs() {
    }

    static boolean exists(String pattern) {
        for (String expanded : braces(pattern)) {
            if (walk(Path.of("/"), components(expanded), 0)) {
                return true;
            }
        }
        return false;
    }

    private static List<String> components(String pattern) {
        List<String> out = new ArrayList<>();
        for (String c : pattern.split("/")) {
            if (!c.isEmpty()) {
                out.add(c);
            }
        }
        return out;
    }

    private static boolean walk(Path dir, List<String> components, int index) {
        if (index == components.size()) {
            return Files.exists(dir, LinkOption.NOFOLLOW_LINKS);
        }
        String component = components.get(index);
        boolean last = index == components.size() - 1;
        if (!Fnmatch.isPattern(component)) {
            Path next = dir.resolve(component.replaceAll("\\\\(.)", "$1"));
            return (last || Files.isDirectory(next)) && walk(next, components, index + 1);
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (name.startsWith(".") && !component.startsWith(".")) {
                    continue;
                }
                if (Fnmatch.matches(component, name, false) && (last || Files.isDirectory(entry))
                        && walk(entry, components, index + 1)) {
                    return true;
                }
            }
        } catch (IOException | RuntimeException e) {
            return false;
        }
        return false;
    }

    /** GLOB_BRACE: {@code a{b,c}d} is {@code abd} and {@code acd}; nested braces expand too. */
    static List<String> braces(String pattern) {
        int open = -1;
        int depth = 0;
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '{') {
                if (depth++ == 0) {
                    open = i;
                }
            } else if (c == '}' && depth > 0 && --depth == 0) {
                List<String> out = new ArrayList<>();
                String head = pattern.substring(0, open);
                String tail = pattern.substring(i + 1);
                for (String alternative : alternatives(pattern.substring(open + 1, i))) {
                    out.addAll(braces(head + alternative + tail));
                }
                return out;
            }
        }
        return List.of(pattern);
    }

    private static List<String> alternatives(String inside) {
        List<String> out = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < inside.length(); i++) {
            char c = inside.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '{') {
                depth++;
            } else if (c == '}') {
                depth--;
            } else if (c == ',' && depth == 0) {
                out.add(inside.substring(start, i));
                start = i + 1;
            }
        }
        out.add(inside.substring(start));
        return out;
    }
}
