package dev.sockact.unit.load;

import dev.sockact.unit.UnitName;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Finds a unit's fragment and drop-ins in the unit directories, highest priority first, the way systemd's
 * {@code unit_file_find_fragment()} and {@code unit_file_find_dropin_paths()} do.
 *
 * <p>Each directory's names are listed once, at first use, as systemd builds its unit name map at start and at
 * daemon-reload (a loader lives until the next reload): only names present are looked at on disk. A busy
 * Accept=yes socket loads an instance per connection, and probing each candidate path (the instance's own file,
 * every drop-in folder it could have) cost more than the rest of the load. A unit that is not in the listing is
 * looked for on disk, as systemd looks again for a unit it did not find, so a file added since is found; a drop-in
 * folder added since needs a reload, as a drop-in does for a unit systemd has loaded.
 */
final class UnitFiles {
    private final List<Path> unitDirs;
    /** Per unit directory, the names in it; absent until listed, empty for a folder that is not there. */
    private final Map<Path, java.util.Set<String>> names = new java.util.HashMap<>();

    UnitFiles(List<Path> unitDirs) {
        this.unitDirs = unitDirs;
    }

    /** The first {@code NAME} in the directories, or for an instance the first {@code TEMPLATE}. */
    Optional<Path> fragment(UnitName name) {
        List<UnitName> candidates = name.isInstance() ? List.of(name, name.template()) : List.of(name);
        for (UnitName candidate : candidates) {
            for (Path dir : unitDirs) {
                if (listed(dir).contains(candidate.toString())) {
                    Path file = dir.resolve(candidate.toString());
                    if (Files.exists(file) || isDevNullLink(file)) {
                        return Optional.of(file);
                    }
                }
            }
        }
        return onDisk(unitDirs, candidates);
    }

    private static Optional<Path> onDisk(List<Path> unitDirs, List<UnitName> candidates) {
        for (UnitName candidate : candidates) {
            for (Path dir : unitDirs) {
                Path file = dir.resolve(candidate.toString());
                if (Files.exists(file) || isDevNullLink(file)) {
                    return Optional.of(file);
                }
            }
        }
        return Optional.empty();
    }

    private java.util.Set<String> listed(Path dir) {
        return names.computeIfAbsent(dir, d -> {
            java.util.Set<String> found = new java.util.HashSet<>();
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(d)) {
                for (Path entry : entries) {
                    found.add(entry.getFileName().toString());
                }
            } catch (IOException e) {
                // a unit directory that is not there (most of the search path) or unreadable has no units
            }
            return found;
        });
    }

    /** A fragment that is a symlink to /dev/null (or an empty file) masks the unit. */
    static boolean isMasked(Path fragment) {
        try {
            var attributes = Files.readAttributes(fragment, java.nio.file.attribute.BasicFileAttributes.class,
                    java.nio.file.LinkOption.NOFOLLOW_LINKS);
            if (attributes.isSymbolicLink()) {
                return fragment.toRealPath().equals(Path.of("/dev/null"))
                        || (Files.isRegularFile(fragment) && Files.size(fragment) == 0);
            }
            return attributes.isRegularFile() && attributes.size() == 0;
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean isDevNullLink(Path file) {
        try {
            return Files.isSymbolicLink(file) && file.toRealPath().equals(Path.of("/dev/null"));
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * {@code *.conf} files from {@code NAME.d/}, the template's {@code foo@.TYPE.d/}, each dash prefix
     * ({@code foo-.TYPE.d/}) and the type-wide {@code TYPE.d/}, ordered by file name; a file name in a
     * higher-priority directory hides the same name in a lower one.
     */
    List<Path> dropIns(UnitName name) {
        List<String> dirNames = new ArrayList<>();
        dirNames.add(name + ".d");
        if (name.isInstance()) {
            dirNames.add(name.template() + ".d");
        }
        String prefix = name.prefix();
        for (int dash = prefix.lastIndexOf('-'); dash > 0; dash = prefix.lastIndexOf('-', dash - 1)) {
            dirNames.add(prefix.substring(0, dash + 1) + "." + name.suffix() + ".d");
        }
        dirNames.add(name.suffix() + ".d");
        Map<String, Path> byFileName = new TreeMap<>();
        for (Path unitDir : unitDirs) {
            for (String dirName : dirNames) {
                Path dir = unitDir.resolve(dirName);
                if (!listed(unitDir).contains(dirName) || !Files.isDirectory(dir)) {
                    continue;
                }
                try (DirectoryStream<Path> confs = Files.newDirectoryStream(dir, "*.conf")) {
                    for (Path conf : confs) {
                        byFileName.putIfAbsent(conf.getFileName().toString(), conf);
                    }
                } catch (IOException e) {
                    // an unreadable drop-in directory is skipped, as systemd skips it
                }
            }
        }
        return List.copyOf(byFileName.values());
    }
}
