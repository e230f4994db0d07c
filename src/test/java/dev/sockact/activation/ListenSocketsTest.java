package dev.sockact.activation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sockact.posix.ErrnoException;
import dev.sockact.posix.PosixFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ListenSocketsTest {
    @TempDir
    Path dir;

    /** systemd-socket-activate -l DIR/a/b/c.sock under umask 077 makes a and a/b 0755: DirectoryMode= is exact. */
    @Test
    void parentFoldersGetTheirModeWhateverTheUmask() throws ErrnoException, IOException {
        int previous = PosixFiles.umask(077);
        try {
            ListenSockets.makeDirectories(dir.resolve("a/b"), 0755);
            ListenSockets.makeDirectories(dir.resolve("a/b/c/d"), 0751);
        } finally {
            PosixFiles.umask(previous);
        }

        assertThat(mode(dir.resolve("a"))).isEqualTo("rwxr-xr-x");
        assertThat(mode(dir.resolve("a/b"))).isEqualTo("rwxr-xr-x");
        assertThat(mode(dir.resolve("a/b/c"))).isEqualTo("rwxr-x--x");
        assertThat(mode(dir.resolve("a/b/c/d"))).isEqualTo("rwxr-x--x");
    }

    @Test
    void anExistingFolderIsLeftAlone() throws ErrnoException, IOException {
        Path existing = Files.createDirectory(dir.resolve("kept"));
        Files.setPosixFilePermissions(existing, PosixFilePermissions.fromString("rwx------"));

        ListenSockets.makeDirectories(existing, 0755);

        assertThat(mode(existing)).isEqualTo("rwx------");
    }

    private static String mode(Path path) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }
}
