package dev.sockact.unit.load;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Reads configuration files (unit files, drop-ins, {@code EnvironmentFile=}s) only when they are regular files of a
 * bounded size. Anything else in a unit directory would stall the reader: opening a FIFO blocks until a writer
 * comes, and {@code /dev/zero} or {@code /dev/urandom} never ends. So the file's type is looked at first (through
 * symlinks, which do not block) and only a regular file is opened; it is then read to at most {@code limit + 1}
 * bytes, so a file that grows while it is read cannot grow the reader's memory either.
 *
 * <p>Between the look and the open, a writer of the unit directory could put a FIFO in the file's place. Whoever
 * can do that can write a unit file that runs any command, so the race gives nothing a unit file does not.
 */
public final class RegularFiles {
    /** Bound on one unit file or drop-in: systemd's longest line (LONG_LINE_MAX) four times over. */
    public static final long MAX_UNIT_FILE = 4L << 20;

    private RegularFiles() {
        throw new AssertionError();
    }

    /** The problem with a file that is not read: its message names no path, the caller's does. */
    public static final class RefusedException extends IOException {
        private static final long serialVersionUID = 1L;

        RefusedException(String reason) {
            super(reason);
        }

        /** strerror-style, e.g. "not a regular file (a FIFO)". */
        public String reason() {
            return getMessage();
        }
    }

    /**
     * The whole of {@code file} (following symlinks), or a {@link RefusedException} when it is missing, not a regular
     * file, larger than {@code limit} bytes, or unreadable.
     */
    public static byte[] read(Path file, long limit) throws RefusedException {
        BasicFileAttributes attributes;
        boolean symlink;
        try {
            // One lstat for the common case, a file in a unit folder; a symlink is followed with a second look.
            attributes = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            symlink = attributes.isSymbolicLink();
            if (symlink) {
                attributes = Files.readAttributes(file, BasicFileAttributes.class);
            }
        } catch (IOException e) {
            throw new RefusedException(reason(e));
        }
        if (!attributes.isRegularFile()) {
            throw new RefusedException("not a regular file (" + kind(file, attributes) + ")");
        }
        String kernelFile = kernelFile(file, symlink);
        if (kernelFile != null) {
            throw new RefusedException("a file of the kernel's (" + kernelFile + "), not a configuration file");
        }
        if (attributes.size() > limit) {
            throw new RefusedException("too large (" + attributes.size() + " bytes, the limit is " + limit + ")");
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] content = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
            if (content.length > limit) {   // it grew while being read
                throw new RefusedException("too large (more than " + limit + " bytes, the limit is " + limit + ")");
            }
            return content;
        } catch (RefusedException e) {
            throw e;
        } catch (IOException e) {
            throw new RefusedException(reason(e));
        }
    }

    /**
     * The real path of a file under /proc or /sys, or null. The kernel calls those regular, but some never end or
     * block when read (/proc/kmsg waits for the next kernel message). Only a path that is a symlink or starts there
     * can end there, so other paths cost no realpath walk (Accept=yes loads an instance's files per connection).
     */
    private static String kernelFile(Path file, boolean symlink) {
        String text = file.toAbsolutePath().toString();
        if (!symlink && !text.startsWith("/proc/") && !text.startsWith("/sys/")) {
            return null;
        }
        try {
            String real = file.toRealPath().toString();
            return real.startsWith("/proc/") || real.startsWith("/sys/") ? real : null;
        } catch (IOException e) {
            return null;   // it was there a moment ago: the read says what is wrong now
        }
    }

    /** What a file that is not regular is, in words: systemd's "is a directory" and the file(1) names. */
    static String kind(Path file, BasicFileAttributes attributes) {
        if (attributes.isDirectory()) {
            return "a directory";
        }
        try {
            Object mode = Files.getAttribute(file, "unix:mode");
            if (mode instanceof Integer bits) {
                return switch (bits & 0170000) {
                    case 0010000 -> "a FIFO";
                    case 0020000 -> "a character device";
                    case 0060000 -> "a block device";
                    case 0140000 -> "a socket";
                    default -> "a special file";
                };
            }
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            // fall through: the kind is unknown, the refusal stands
        }
        return "a special file";
    }

    /** strerror-style text: NIO exceptions carry only the path as their message. */
    static String reason(IOException e) {
        return switch (e) {
            case NoSuchFileException n -> "No such file or directory";
            case AccessDeniedException a -> "Permission denied";
            case NotDirectoryException d -> "Not a directory";
            // The JDK adds its own guess to ELOOP's strerror text.
            case FileSystemException f when f.getReason() != null ->
                    f.getReason().replace(" or unable to access attributes of symbolic link", "");
            default -> e.getMessage();
        };
    }
}
