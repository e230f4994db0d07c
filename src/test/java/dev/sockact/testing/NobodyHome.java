package dev.sockact.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A home for {@code sockactd --user} as uid 65534 through setpriv: HOME (world-readable, outside the test's
 * folder, which that user cannot enter) with units/ and run/ (its XDG_RUNTIME_DIR, owned by 65534). Closing it
 * deletes it all.
 */
public record NobodyHome(Path home, Path units, Path runtime) implements AutoCloseable {
    public static final int UID = 65534;

    public static NobodyHome create() throws IOException {
        Path home = Files.createTempDirectory("sockactd-user");
        NobodyHome created = new NobodyHome(home, home.resolve("units"), home.resolve("run"));
        try {
            Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.createDirectories(created.units);
            Files.createDirectories(created.runtime);
            Files.setAttribute(created.runtime, "unix:uid", UID);
            Files.setAttribute(created.runtime, "unix:gid", UID);
            return created;
        } catch (IOException | RuntimeException e) {
            created.close();
            throw e;
        }
    }

    /** bin/sockactd --user on {@link #units} as uid and gid 65534 without groups, debug logging, stdout discarded. */
    public DaemonProcess startDaemon() throws IOException {
        ProcessBuilder pb = new ProcessBuilder("/usr/bin/setpriv", "--reuid=" + UID, "--regid=" + UID,
                "--clear-groups", Path.of("bin/sockactd").toAbsolutePath().toString(), "--user", "--unit-dir",
                units.toString()).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("XDG_RUNTIME_DIR", runtime.toString());
        pb.environment().put("HOME", home.toString());
        pb.environment().put("SOCKACT_LOG_LEVEL", "debug");
        return new DaemonProcess(pb.start());
    }

    @Override
    public void close() throws IOException {
        try (Stream<Path> files = Files.walk(home)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }
}
