package dev.sockact.daemon;

import dev.sockact.unit.ServiceUnit;
import dev.sockact.unit.SocketUnit;
import dev.sockact.unit.UnitInfo;
import dev.sockact.unit.UnitName;
import dev.sockact.unit.UnitType;
import dev.sockact.unit.load.LoadResult;
import dev.sockact.unit.load.UnitLoader;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * {@code sockctl enable} and {@code disable}: systemd's install logic on sockactd's unit folders. Enabling reads the
 * unit's [Install] section and creates {@code TARGET.wants/NAME} (WantedBy=), {@code TARGET.requires/NAME}
 * (RequiredBy=) and {@code ALIAS} (Alias=) symlinks to the unit file in the first writable unit folder, and enables
 * the Also= units too. Disabling removes those links from every unit folder (and a start-up folder left empty).
 * Both write {@link Enablement#MARKER} in that folder. Every unit is checked before anything changes.
 */
final class UnitInstaller {
    /** Bound on the units one request may touch with their Also= units, against Also= loops and typos. */
    private static final int MAX_UNITS = 256;

    /** A file change, as systemctl reports it ({@code symlink} with its target, or {@code unlink}). */
    record Change(String type, Path path, Path source) {
    }

    /**
     * What a request did: its changes, whether any named unit carries install information (systemctl's
     * "no installation config" notice when not), the folder whose marker was created now (null if none was), or an
     * error (with nothing changed, or the changes made before it).
     */
    record Outcome(List<Change> changes, boolean carriesInstallInfo, Path markerCreated, String error) {
    }

    /** A unit to act on: its name, its file and its [Install] section. */
    private record Target(String name, Path file, UnitInfo install) {
        boolean carriesInstallInfo() {
            return Enablement.carriesInstallInfo(install);
        }
    }

    private final List<Path> unitDirs;
    private final UnitLoader loader;

    UnitInstaller(List<Path> unitDirs, UnitLoader loader) {
        this.unitDirs = List.copyOf(unitDirs);
        this.loader = loader;
    }

    Outcome enable(List<String> names) {
        return run("enable", names);
    }

    Outcome disable(List<String> names) {
        return run("disable", names);
    }

    private Outcome run(String verb, List<String> names) {
        List<Change> changes = new ArrayList<>();
        List<Target> targets = new ArrayList<>();
        try {
            collect(names, targets);
        } catch (InstallException e) {
            return new Outcome(changes, false, null, "Failed to " + verb + " unit: " + e.getMessage());
        }
        boolean carries = targets.stream().limit(new LinkedHashSet<>(names).size()).anyMatch(Target::carriesInstallInfo);
        if (targets.stream().noneMatch(Target::carriesInstallInfo)) {
            return new Outcome(changes, carries, null, null);
        }
        Path dir;
        try {
            dir = writableDir();
        } catch (InstallException e) {
            return new Outcome(changes, carries, null, "Failed to " + verb + " unit: " + e.getMessage());
        }
        Path marker = null;
        try {
            for (Target t : targets) {
                if (verb.equals("enable")) {
                    link(dir, t, changes);
                } else {
                    unlink(t, changes);
                }
            }
            marker = writeMarker(dir);
        } catch (InstallException e) {
            return new Outcome(changes, carries, marker, "Failed to " + verb + " unit: " + e.getMessage());
        }
        return new Outcome(changes, carries, marker, null);
    }

    /** The named units and, after them, their Also= units (each once). */
    private void collect(List<String> names, List<Target> out) throws InstallException {
        Set<String> seen = new LinkedHashSet<>();
        List<String> queue = new ArrayList<>(names);
        for (int i = 0; i < queue.size(); i++) {
            String name = queue.get(i);
            if (!seen.add(name)) {
                continue;
            }
            if (seen.size() > MAX_UNITS) {
                throw new InstallException("More than " + MAX_UNITS + " units with their Also= units.");
            }
            Target t = target(name);
            out.add(t);
            queue.addAll(t.install().also());
        }
    }

    private Target target(String name) throws InstallException {
        Optional<UnitName> parsed = UnitName.parse(name);
        Optional<UnitType> type = parsed.flatMap(UnitName::type);
        if (parsed.isEmpty() || type.isEmpty()) {
            throw new InstallException("Unit name " + name + " is not valid (sockact knows .socket and .service units).");
        }
        Path file = fragment(parsed.get()).orElseThrow(
                () -> new InstallException("Unit file " + name + " does not exist."));
        try {
            if (Files.isSymbolicLink(file) && file.toRealPath().equals(Path.of("/dev/null"))) {
                throw new InstallException("Unit file " + file + " is masked.");
            }
        } catch (IOException e) {
            throw new InstallException("Unit file " + file + " is a dangling symlink.");
        }
        LoadResult<?> result = type.get() == UnitType.SOCKET ? loader.loadSocket(name) : loader.loadService(name);
        UnitInfo install = switch (result.unit()) {
            case SocketUnit s -> s.unit();
            case ServiceUnit s -> s.unit();
            case null, default -> new UnitInfo.Builder().build();
        };
        return new Target(name, file, install);
    }

    /** The unit file as the loader finds it: the first NAME (for an instance, the template) in the folders. */
    private Optional<Path> fragment(UnitName name) {
        for (UnitName candidate : name.isInstance() ? List.of(name, name.template()) : List.of(name)) {
            for (Path dir : unitDirs) {
                Path file = dir.resolve(candidate.toString());
                if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
                    return Optional.of(file);
                }
            }
        }
        return Optional.empty();
    }

    /** The first unit folder that exists and is writable, or can be created (as /etc/systemd/system is systemd's). */
    private Path writableDir() throws InstallException {
        for (Path dir : unitDirs) {
            if (Files.isDirectory(dir)) {
                if (Files.isWritable(dir)) {
                    return dir;
                }
                continue;
            }
            try {
                Files.createDirectories(dir);
                return dir;
            } catch (IOException e) {
                // not creatable: try the next folder
            }
        }
        throw new InstallException("No writable unit folder among " + unitDirs + ".");
    }

    private void link(Path dir, Target t, List<Change> changes) throws InstallException {
        for (String alias : t.install().alias()) {
            symlink(dir.resolve(alias), t.file(), changes);
        }
        for (String target : t.install().wantedBy()) {
            symlink(dir.resolve(target + ".wants").resolve(t.name()), t.file(), changes);
        }
        for (String target : t.install().requiredBy()) {
            symlink(dir.resolve(target + ".requires").resolve(t.name()), t.file(), changes);
        }
    }

    /** systemd's rule: an existing link to the same file is no change; anything else in the way is an error. */
    private static void symlink(Path link, Path file, List<Change> changes) throws InstallException {
        try {
            if (Files.isSymbolicLink(link)) {
                Path existing = Files.readSymbolicLink(link);
                if (existing.equals(file)) {
                    return;
                }
                throw new InstallException("File " + link + " already exists and is a symlink to " + existing + ".");
            }
            if (Files.exists(link, LinkOption.NOFOLLOW_LINKS)) {
                throw new InstallException("File " + link + " already exists.");
            }
            Files.createDirectories(link.getParent());
            Files.createSymbolicLink(link, file);
            changes.add(new Change("symlink", link, file));
        } catch (FileAlreadyExistsException e) {
            throw new InstallException("File " + link + " already exists.");
        } catch (IOException e) {
            throw new InstallException("Failed to create symlink " + link + ": " + reason(e));
        }
    }

    /** Removes, from every unit folder, the start-up and dependency links named after the unit, and its aliases. */
    private void unlink(Target t, List<Change> changes) throws InstallException {
        for (Path dir : unitDirs) {
            List<Path> linkDirs = new ArrayList<>();
            Enablement.forEach(dir, "*.{wants,requires}", linkDirs::add);
            for (Path linkDir : linkDirs) {
                remove(linkDir.resolve(t.name()), changes);
                removeIfEmpty(linkDir);
            }
            for (String alias : t.install().alias()) {
                remove(dir.resolve(alias), changes);
            }
        }
    }

    private static void remove(Path link, List<Change> changes) throws InstallException {
        if (!Files.isSymbolicLink(link)) {
            return;
        }
        try {
            Files.delete(link);
            changes.add(new Change("unlink", link, null));
        } catch (IOException e) {
            throw new InstallException("Failed to remove " + link + ": " + reason(e));
        }
    }

    /** As systemd, a .wants/ or .requires/ folder left empty goes too. */
    private static void removeIfEmpty(Path dir) {
        try (var entries = Files.newDirectoryStream(dir)) {
            if (!entries.iterator().hasNext()) {
                Files.delete(dir);
            }
        } catch (IOException e) {
            // not empty, or not ours to remove: it stays
        }
    }

    /** Writes the marker into {@code dir} unless one is there; returns {@code dir} when it was created now. */
    private static Path writeMarker(Path dir) throws InstallException {
        Path marker = dir.resolve(Enablement.MARKER);
        if (Files.exists(marker, LinkOption.NOFOLLOW_LINKS)) {
            return null;
        }
        try {
            Files.writeString(marker, Enablement.MARKER_TEXT);
            return dir;
        } catch (IOException e) {
            throw new InstallException("Failed to write " + marker + ": " + reason(e));
        }
    }

    private static String reason(IOException e) {
        String m = e.getMessage();
        if (e instanceof AccessDeniedException) {
            return "Permission denied";
        }
        return m == null ? e.toString() : m;
    }

    private static final class InstallException extends Exception {
        private static final long serialVersionUID = 1L;

        InstallException(String message) {
            super(message);
        }
    }
}
