package dev.sockact.daemon;

import dev.sockact.unit.UnitInfo;

import java.io.IOException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * Which units are enabled, read from the unit folders in systemd's on-disk layout: a unit is enabled when a symlink
 * named after it sits in a {@code TARGET.target.wants/} or {@code TARGET.target.requires/} folder of any unit
 * folder. sockact has no targets: every target counts as reached when sockactd starts, so an enabled unit starts
 * then. Links in a unit's own {@code foo.service.wants/} are that unit's dependencies, not start-up links.
 *
 * <p>Enablement is <em>in use</em> when a unit folder holds the {@link #MARKER} file (written by every
 * {@code sockctl enable} and {@code disable}) or a start-up link. Where it is not, every socket unit starts, as before
 * enablement existed; once it is, exactly the enabled units start. The marker keeps that true after the last enabled
 * unit was disabled.
 */
public final class Enablement {
    /** The marker file's name, in a unit folder. */
    public static final String MARKER = "sockact-enablement";
    static final String MARKER_TEXT = """
            # Written by sockctl enable/disable. While this file (or any link in a *.target.wants/ or
            # *.target.requires/ folder) exists in one of sockactd's unit folders, sockactd starts exactly the enabled
            # units. Remove it, with the links, to start every socket unit again.
            """;
    /** Bound on the entries read per folder, so a huge folder cannot stall the daemon. */
    private static final int MAX_ENTRIES = 65_536;

    /** systemd's unit file states, as {@code systemctl is-enabled} prints them. */
    public enum State {
        ENABLED("enabled"), DISABLED("disabled"), STATIC("static");

        private final String text;

        State(String text) {
            this.text = text;
        }

        public String text() {
            return text;
        }
    }

    private final List<Path> unitDirs;

    public Enablement(List<Path> unitDirs) {
        this.unitDirs = List.copyOf(unitDirs);
    }

    /** Whether any unit folder records an enable or disable (the marker) or has a start-up link. */
    public boolean inUse() {
        for (Path dir : unitDirs) {
            if (Files.exists(dir.resolve(MARKER))) {
                return true;
            }
        }
        return !enabledUnits().isEmpty();
    }

    /** Whether unit {@code name} starts with sockactd: every unit while enablement is not in use, else an enabled one. */
    public boolean startsWithDaemon(String name) {
        return !inUse() || enabledUnits().contains(name);
    }

    /** The names linked from a {@code *.target.wants/} or {@code *.target.requires/} folder of any unit folder. */
    public Set<String> enabledUnits() {
        Set<String> names = new TreeSet<>();
        for (Path linkDir : startUpLinkDirs()) {
            forEach(linkDir, "*.{socket,service}", entry -> names.add(entry.getFileName().toString()));
        }
        return names;
    }

    /**
     * The unit file state of {@code name}: enabled when linked from a start-up folder, else static when its
     * [Install] section carries nothing ({@code carriesInstallInfo} false), else disabled.
     */
    public State state(String name, boolean carriesInstallInfo) {
        if (enabledUnits().contains(name)) {
            return State.ENABLED;
        }
        return carriesInstallInfo ? State.DISABLED : State.STATIC;
    }

    /** Whether [Install] says how to enable the unit (systemctl's "carries install info"). */
    public static boolean carriesInstallInfo(UnitInfo install) {
        return !install.wantedBy().isEmpty() || !install.requiredBy().isEmpty() || !install.alias().isEmpty()
                || !install.also().isEmpty();
    }

    /**
     * The preset shown next to the state: sockact has no preset files; what it does where nothing was enabled or
     * disabled stands in for one: socket units start (enabled), services wait for their socket (disabled).
     */
    public static State preset(String name) {
        return name.endsWith(".socket") ? State.ENABLED : State.DISABLED;
    }

    /** The {@code *.target.wants/} and {@code *.target.requires/} folders, in unit folder order. */
    List<Path> startUpLinkDirs() {
        List<Path> out = new ArrayList<>();
        for (Path dir : unitDirs) {
            forEach(dir, "*.target.{wants,requires}", entry -> {
                if (Files.isDirectory(entry)) {
                    out.add(entry);
                }
            });
        }
        return out;
    }

    static void forEach(Path dir, String glob, Consumer<Path> action) {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, glob)) {
            int n = 0;
            for (Path entry : entries) {
                if (n++ >= MAX_ENTRIES) {
                    break;
                }
                action.accept(entry);
            }
        } catch (IOException | DirectoryIteratorException e) {
            System.getLogger("sockactd").log(System.Logger.Level.WARNING,
                    "Failed to read " + dir + ", ignoring: " + e.getMessage());
        }
    }
}
