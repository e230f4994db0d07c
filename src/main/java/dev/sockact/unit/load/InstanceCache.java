package dev.sockact.unit.load;

import dev.sockact.unit.UnitName;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;

/**
 * The last load of each template's instances, so that an Accept=yes connection does not read, lex and parse the
 * template's files again: that was about 40 % of sockactd's Java time per connection (JFR, session 10 in
 * bench/RESULTS-activation.md). An entry stands for the files only while each is the same file (device and inode),
 * with the same size and modification time as when it was read, as systemd's "changed on disk" check compares
 * them; and only a load without any finding and without a specifier naming the instance ({@code %i %n ...}) is
 * kept, so that another instance gets the same settings under its own name. Anything else is loaded from the
 * files, as before.
 *
 * @param <U> the unit type (services: sockets are not instantiated)
 */
final class InstanceCache<U> {
    /** Templates remembered; past it, the one used longest ago is forgotten. */
    static final int MAX_TEMPLATES = 256;

    /** What says a file is unchanged since it was read: the same path, file (device and inode), size and mtime. */
    record Stamp(Path path, Object fileKey, long size, long modifiedNanos) {
        // Written out, as UnitName's: the generated record method costs several method-handle calls under C1.
        @Override
        public boolean equals(Object o) {
            return o instanceof Stamp other && size == other.size && modifiedNanos == other.modifiedNanos
                    && fileKey.equals(other.fileKey) && path.equals(other.path);
        }

        @Override
        public int hashCode() {
            return Long.hashCode(size * 31 + modifiedNanos) * 31 + fileKey.hashCode();
        }
    }

    private record Entry<U>(List<Stamp> stamps, U unit) {
    }

    private final BiFunction<U, UnitName, U> rename;
    private final Map<UnitName, Entry<U>> entries = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<UnitName, Entry<U>> eldest) {
            return size() > MAX_TEMPLATES;
        }
    };

    /** @param rename the same unit under an instance's name */
    InstanceCache(BiFunction<U, UnitName, U> rename) {
        this.rename = rename;
    }

    /** The stamps of {@code files} now (following symlinks, as they are read), or null if one cannot be looked at. */
    static List<Stamp> stamps(List<Path> files) {
        List<Stamp> stamps = new ArrayList<>(files.size());
        for (Path file : files) {
            BasicFileAttributes attributes;
            try {
                attributes = Files.readAttributes(file, BasicFileAttributes.class);
            } catch (IOException e) {
                return null;
            }
            if (!attributes.isRegularFile() || attributes.fileKey() == null) {
                return null;
            }
            stamps.add(new Stamp(file, attributes.fileKey(), attributes.size(),
                    attributes.lastModifiedTime().to(TimeUnit.NANOSECONDS)));
        }
        return stamps;
    }

    /** {@code instance}'s unit from the entry of its template, if that was made from files with these stamps. */
    synchronized U lookup(UnitName instance, List<Stamp> stamps) {
        Entry<U> entry = entries.get(instance.template());
        return entry != null && entry.stamps().equals(stamps) ? rename.apply(entry.unit(), instance) : null;
    }

    /** Keeps {@code unit}, loaded from files whose stamps were {@code stamps} before they were read. */
    synchronized void remember(UnitName instance, List<Stamp> stamps, U unit) {
        entries.put(instance.template(), new Entry<>(List.copyOf(stamps), unit));
    }
}
