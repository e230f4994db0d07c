package dev.sockact.unit.load;

import dev.sockact.unit.UnitName;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Finds a unit's fragment and drop-ins in the unit directories, highest priority first, the way systemd's
 * {@code unit_file_find_fragment()} and {@code unit_file_find_dropin_paths()} do.
 *
 * <p>Each directory's names are listed once and kept while the directory's modification time stays the same (one
 * stat per directory per load, see {@link #revalidate}); only names present are looked at on disk. A busy
 * Accept=yes socket loads an instance per connection, and probing each candidate path (the instance's own file,
 * every drop-in folder it could have, each absent one a JDK exception) was 40% of the daemon's time per connection.
 * So a unit file or drop-in folder added while the daemon runs is seen by the next load, as before (and as systemd
 * sees them for a unit it loads next). A unit directory that did not exist when first listed is not watched: a
 * unit there is still found, by a look on disk for a unit not in any listing, as systemd looks again for a unit
 * it did not find.
 */
final class UnitFiles {
    private final List<Path> unitDirs;
    /** Per unit directory: its names and the modification time they were listed at (null: it was not there). */
    private final Map<Path, Listing> listings = new HashMap<>();

    /**
     * @param racy listed within {@link #RACY_MILLIS} of the directory's last change: file systems stamp times
     *             coarsely (a clock tick, up to 2 s), so a change right after the listing could keep the same
     *             time; such a listing is made again at the next load, until it is old enough to be trusted (as git
     *             treats its "racily clean" index entries)
     */
    private record Listing(FileTime modified, boolean racy, Set<String> names) {
    }

    private static final long RACY_MILLIS = 2000;

    UnitFiles(List<Path> unitDirs) {
        this.unitDirs = unitDirs;
    }

    /** Forgets the listing of every directory that changed since it was listed; called once per unit load. */
    void revalidate() {
        listings.entrySet().removeIf(e -> e.getValue().modified() != null
                && (e.getValue().racy() || !e.getValue().modified().equals(modified(e.getKey()))));
    }

    private static FileTime modified(Path dir) {
        try {
            return Files.getLastModifiedTime(dir);
        } catch (IOException e) {
            return null;
        }
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

    private Set<String> listed(Path dir) {
        return listings.computeIfAbsent(dir, d -> {
            // The time first: a change during the listing then shows as a change at the next revalidate().
            FileTime modified = modified(d);
            Set<String> found = new HashSet<>();
            if (modified != null) {
                try (DirectoryStream<Path> entries = Files.newDirectoryStream(d)) {
                    for (Path entry : entries) {
                        found.add(entry.getFileName().toString());
                    }
                } catch (IOException e) {
                    // unreadable: no units from it
                }
            }
            boolean racy = modified != null && System.currentTimeMillis() - modified.toMillis() < RACY_MILLIS;
            return new Listing(modified, racy, found);
        }).names();
    }

    /** A fragment that is a symlink to /dev/null (or an empty file) masks the unit. */
    static boolean isMasked(Path fragment) {
        try {
            var attributes = Files.readAttributes(fragment, BasicFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS);
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

    /** A unit's drop-in files, and what was skipped on the way (a drop-in folder that cannot be read). */
    record DropIns(List<Path> paths, List<String> warnings) {
    }

    /**
     * {@code *.conf} files from {@code NAME.d/}, the template's {@code foo@.TYPE.d/}, each dash prefix
     * ({@code foo-.TYPE.d/}) and the type-wide {@code TYPE.d/}, ordered by file name; a file name in a
     * higher-priority directory hides the same name in a lower one. A folder that cannot be read (a symlink loop,
     * no permission, not a folder) is skipped with a warning, as systemd skips it.
     */
    DropIns dropIns(UnitName name) {
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
        List<String> warnings = new ArrayList<>();
        for (Path unitDir : unitDirs) {
            for (String dirName : dirNames) {
                if (!listed(unitDir).contains(dirName)) {
                    continue;
                }
                Path dir = unitDir.resolve(dirName);
                try (DirectoryStream<Path> confs = Files.newDirectoryStream(dir, "*.conf")) {
                    for (Path conf : confs) {
                        byFileName.putIfAbsent(conf.getFileName().toString(), conf);
                    }
                } catch (NoSuchFileException e) {
                    // gone since the listing, or a dangling symlink: no drop-ins there, as in systemd
                } catch (IOException e) {
                    warnings.add("Failed to read drop-in folder " + dir + ", ignoring: " + RegularFiles.reason(e));
                }
            }
        }
        return new DropIns(List.copyOf(byFileName.values()), List.copyOf(warnings));
    }
}
