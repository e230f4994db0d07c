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
 */
final class UnitFiles {

    private UnitFiles() {
    }

    /** The first {@code NAME} in the directories, or for an instance the first {@code TEMPLATE}. */
    static Optional<Path> fragment(List<Path> unitDirs, UnitName name) {
        for (UnitName candidate : name.isInstance() ? List.of(name, name.template()) : List.of(name)) {
            for (Path dir : unitDirs) {
                Path file = dir.resolve(candidate.toString());
                if (Files.exists(file) || isDevNullLink(file)) {
                    return Optional.of(file);
                }
            }
        }
        return Optional.empty();
    }

    /** A fragment that is a symlink to /dev/null (or an empty file) masks the unit. */
    static boolean isMasked(Path fragment) {
        try {
            return isDevNullLink(fragment) || (Files.isRegularFile(fragment) && Files.size(fragment) == 0);
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
    static List<Path> dropIns(List<Path> unitDirs, UnitName name) {
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
                if (!Files.isDirectory(dir)) {
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
