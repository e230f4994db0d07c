package dev.sockact.daemon;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The last lines sockactd logged about each unit, for {@code sockctl status}: a ring of {@link #LINES_PER_UNIT}
 * lines per unit. A line belongs to a unit when it starts with {@code NAME: } or {@code NAME[PID]: } (a service's
 * own output), or names the unit's description the way systemd's job messages do ({@code Listening on DESC.},
 * {@code Started DESC.}). Fed from the logger's tap, possibly on any thread, so every method is synchronized.
 */
final class UnitJournal {
    static final int LINES_PER_UNIT = 100;
    /** Units with a ring; lines for more are dropped (the manager loads at most MAX_UNITS sockets). */
    static final int MAX_UNITS = 2 * Manager.MAX_UNITS;
    private static final List<String> JOB_PREFIXES = List.of("Listening on ", "Started ", "Finished ",
            "Failed to start ", "Failed to listen on ", "Stopped ", "Closed ");

    /** One line: when, and the text as logged. */
    record Line(long epochMillis, String text) {
    }

    private final Map<String, ArrayDeque<Line>> lines = new HashMap<>();
    private final Map<String, String> units = new HashMap<>();
    private final Map<String, String> descriptions = new HashMap<>();

    /** Makes {@code name} known, with the description its job messages use. */
    synchronized void register(String name, String description) {
        units.put(name, name);
        if (description != null && !description.isEmpty()) {
            descriptions.put(description, name);
        }
    }

    synchronized void offer(String text) {
        String unit = attribute(text);
        if (unit == null) {
            return;
        }
        ArrayDeque<Line> ring = lines.get(unit);
        if (ring == null) {
            if (lines.size() >= MAX_UNITS) {
                return;
            }
            ring = new ArrayDeque<>();
            lines.put(unit, ring);
        }
        if (ring.size() >= LINES_PER_UNIT) {
            ring.removeFirst();
        }
        ring.addLast(new Line(System.currentTimeMillis(), text));
    }

    private String attribute(String text) {
        int colon = text.indexOf(": ");
        if (colon > 0) {
            String head = text.substring(0, colon);
            int bracket = head.indexOf('[');
            String name = bracket > 0 && head.endsWith("]") ? head.substring(0, bracket) : head;
            if (units.containsKey(name)) {
                return name;
            }
        }
        for (String prefix : JOB_PREFIXES) {
            if (text.startsWith(prefix) && text.endsWith(".")) {
                String unit = descriptions.get(text.substring(prefix.length(), text.length() - 1));
                if (unit == null) {
                    unit = units.get(text.substring(prefix.length(), text.length() - 1));
                }
                if (unit != null) {
                    return unit;
                }
            }
        }
        return null;
    }

    /** The last {@code n} lines of {@code unit}, oldest first. */
    synchronized List<Line> last(String unit, int n) {
        ArrayDeque<Line> ring = lines.get(unit);
        if (ring == null || n <= 0) {
            return List.of();
        }
        List<Line> all = new ArrayList<>(ring);
        return List.copyOf(all.subList(Math.max(0, all.size() - n), all.size()));
    }
}
