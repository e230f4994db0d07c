package dev.sockact.unit.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Real files of every kind: none of them may block the reader, only a regular file of bounded size is read. */
@Timeout(30)
class RegularFilesTest {
    @TempDir
    Path dir;

    @Test
    void readsARegularFileWhole() throws IOException {
        Path file = Files.writeString(dir.resolve("a.socket"), "[Socket]\nListenStream=80\n");
        assertThat(new String(RegularFiles.read(file, 1000))).isEqualTo("[Socket]\nListenStream=80\n");
    }

    @Test
    void followsASymlinkToARegularFile() throws IOException {
        Path file = Files.writeString(dir.resolve("real"), "x");
        Path link = Files.createSymbolicLink(dir.resolve("link.socket"), file);
        assertThat(RegularFiles.read(link, 10)).containsExactly('x');
    }

    @Test
    void refusesAFifoWithoutOpeningIt() throws Exception {
        Path fifo = dir.resolve("fifo.socket");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
        assertThatThrownBy(() -> RegularFiles.read(fifo, 1000)).isInstanceOf(RegularFiles.RefusedException.class)
                .hasMessage("not a regular file (a FIFO)");
    }

    @Test
    void refusesDevZeroThroughASymlink() throws IOException {
        Path link = Files.createSymbolicLink(dir.resolve("zero.socket"), Path.of("/dev/zero"));
        assertThatThrownBy(() -> RegularFiles.read(link, 1000)).hasMessage("not a regular file (a character device)");
    }

    @Test
    void refusesAFileOfTheKernelsThatCouldNeverEnd() throws IOException {
        Path link = Files.createSymbolicLink(dir.resolve("kmsg.socket"), Path.of("/proc/kmsg"));
        assertThatThrownBy(() -> RegularFiles.read(link, 1000))
                .hasMessage("a file of the kernel's (/proc/kmsg), not a configuration file");
        assertThatThrownBy(() -> RegularFiles.read(Path.of("/proc/self/environ"), 100_000))
                .hasMessageStartingWith("a file of the kernel's (/proc/");
    }

    @Test
    void refusesADirectory() throws IOException {
        Path sub = Files.createDirectory(dir.resolve("d.socket"));
        assertThatThrownBy(() -> RegularFiles.read(sub, 1000)).hasMessage("not a regular file (a directory)");
    }

    @Test
    void refusesASymlinkLoopWithTheKernelsWords() throws IOException {
        Files.createSymbolicLink(dir.resolve("a"), dir.resolve("b"));
        Files.createSymbolicLink(dir.resolve("b"), dir.resolve("a"));
        assertThatThrownBy(() -> RegularFiles.read(dir.resolve("a"), 1000))
                .hasMessage("Too many levels of symbolic links");
    }

    @Test
    void refusesAFileOverTheLimit() throws IOException {
        Path file = Files.write(dir.resolve("big.socket"), new byte[1001]);
        assertThatThrownBy(() -> RegularFiles.read(file, 1000))
                .hasMessage("too large (1001 bytes, the limit is 1000)");
        assertThat(RegularFiles.read(file, 1001)).hasSize(1001);
    }

    @Test
    void aMissingFileSaysSo() {
        assertThatThrownBy(() -> RegularFiles.read(dir.resolve("none"), 10)).hasMessage("No such file or directory");
    }
}
