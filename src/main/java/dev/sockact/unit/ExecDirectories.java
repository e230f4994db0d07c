package dev.sockact.unit;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * RuntimeDirectory=, StateDirectory=, CacheDirectory=, LogsDirectory=, ConfigurationDirectory= with their
 * {@code *Mode=} and RuntimeDirectoryPreserve= (systemd.exec(5), "Paths"): relative, normalized paths below the
 * manager's base folder of each kind, in the order given, without duplicates.
 *
 * @param paths    each kind's paths (every kind present, possibly empty)
 * @param modes    each kind's mode, default 0755
 * @param preserve RuntimeDirectoryPreserve=, default {@link Preserve#NO}
 */
public record ExecDirectories(Map<Kind, List<String>> paths, Map<Kind, Integer> modes, Preserve preserve) {

    /** No directories: what a unit without any of the keys has. */
    public static final ExecDirectories NONE = new Builder().build();

    public ExecDirectories {
        Map<Kind, List<String>> copied = new EnumMap<>(Kind.class);
        paths.forEach((kind, list) -> copied.put(kind, List.copyOf(list)));
        paths = Map.copyOf(copied);
        modes = Map.copyOf(modes);
    }

    /**
     * The five kinds, in the order systemd sets them up. The constant's name plus {@code _DIRECTORY} is both the
     * environment variable that lists the paths and the exit status a failure to make them is reported with.
     */
    public enum Kind {
        RUNTIME("RuntimeDirectory"), STATE("StateDirectory"), CACHE("CacheDirectory"), LOGS("LogsDirectory"),
        CONFIGURATION("ConfigurationDirectory");

        private final String key;

        Kind(String key) {
            this.key = key;
        }

        /** The unit-file key: {@code RuntimeDirectory}. */
        public String key() {
            return key;
        }

        /** {@code RUNTIME_DIRECTORY}: the variable, and the exit status name of a failure to make one. */
        public String variable() {
            return name() + "_DIRECTORY";
        }
    }

    /** RuntimeDirectoryPreserve=: whether the runtime directories outlive the service's stop. */
    public enum Preserve {
        /** Removed whenever the service stops, restarts included. */
        NO("no"),
        /** Kept until the manager goes. */
        YES("yes"),
        /** Kept while the service is restarted automatically, removed when it stops for good. */
        RESTART("restart");

        private final String text;

        Preserve(String text) {
            this.text = text;
        }

        public String text() {
            return text;
        }
    }

    public List<String> paths(Kind kind) {
        return paths.getOrDefault(kind, List.of());
    }

    public int mode(Kind kind) {
        return modes.getOrDefault(kind, 0755);
    }

    /** Whether any kind has a path: a unit without pays nothing at start. */
    public boolean isEmpty() {
        for (List<String> list : paths.values()) {
            if (!list.isEmpty()) {
                return false;
            }
        }
        return true;
    }

    /** Collects the keys while the unit's files are parsed. */
    public static final class Builder {
        private final Map<Kind, Set<String>> paths = new EnumMap<>(Kind.class);
        private final Map<Kind, Integer> modes = new EnumMap<>(Kind.class);
        private Preserve preserve = Preserve.NO;

        public Builder() {
            for (Kind kind : Kind.values()) {
                paths.put(kind, new LinkedHashSet<>());
            }
        }

        /** Appends paths (a path given twice is kept once). */
        public void add(Kind kind, List<String> more) {
            paths.get(kind).addAll(more);
        }

        /** An empty assignment: forget the paths given so far. */
        public void reset(Kind kind) {
            paths.get(kind).clear();
        }

        public void mode(Kind kind, int mode) {
            modes.put(kind, mode);
        }

        public void preserve(Preserve value) {
            preserve = value;
        }

        public ExecDirectories build() {
            Map<Kind, List<String>> lists = new EnumMap<>(Kind.class);
            paths.forEach((kind, set) -> lists.put(kind, new ArrayList<>(set)));
            return new ExecDirectories(lists, modes, preserve);
        }
    }
}
