package dev.sockact.unit.parse;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Every key systemd 252 knows in [Unit], [Service], [Socket] and [Install], from its
 * {@code --dump-configuration-items} (resource {@code systemd-252-keys.txt}). Keys the tables do not honour are
 * recognised from this list, so that they get "not supported by sockact" rather than "Unknown key".
 */
final class Systemd252Keys {

    private static final Map<String, List<String>> BY_SECTION = load();

    private Systemd252Keys() {
    }

    static List<String> of(String section) {
        return BY_SECTION.getOrDefault(section, List.of());
    }

    private static Map<String, List<String>> load() {
        Map<String, List<String>> keys = new HashMap<>();
        try (InputStream in = Systemd252Keys.class.getResourceAsStream("systemd-252-keys.txt")) {
            if (in == null) {
                throw new IllegalStateException("resource systemd-252-keys.txt is missing");
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String section = null;
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (line.startsWith("#") || line.isBlank()) {
                    continue;
                }
                if (line.startsWith("[")) {
                    section = line.substring(1, line.length() - 1);
                    keys.put(section, new ArrayList<>());
                } else if (section != null) {
                    keys.get(section).add(line.strip());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        keys.replaceAll((section, list) -> List.copyOf(list));
        return Map.copyOf(keys);
    }
}
