package dev.sockact.daemon;

import dev.sockact.testing.DaemonProcess;
import dev.sockact.testing.Daemons;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static dev.sockact.testing.Ports.freeTcpPort;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * StandardOutput=/StandardError= file:, truncate: and append: as systemd.exec(5) has them: file: writes from the
 * start of the file without truncating it, truncate: empties it, append: appends; each at every start. The
 * same file for both streams is opened once (systemd's can_inherit_stderr_from_stdout()), so they share an offset.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class StandardOutputFilesIT {
    private static final String OLD = "long old content\n";

    @TempDir
    Path dir;

    @RegisterExtension
    final Daemons daemons = new Daemons(() -> dir);

    /**
     * A file holding {@link #OLD}, an Accept=yes socket whose instances run {@code command} with {@code output} (the
     * [Service] lines; both name the file as FILE) and two connections, so the service starts twice; then the file.
     */
    private String twoStartsWith(String command, String output) throws Exception {
        Path file = dir.resolve("out.txt");
        Files.writeString(file, OLD);
        int port = freeTcpPort();
        Path units = daemons.units();
        Files.writeString(units.resolve("w.socket"), "[Socket]\nListenStream=127.0.0.1:" + port + "\nAccept=yes\n");
        Files.writeString(units.resolve("w@.service"), "[Service]\nExecStart=/bin/sh -c '"
                + command.replace("FILE", file.toString()) + "'\n" + output.replace("FILE", file.toString()));
        DaemonProcess d = daemons.start();
        d.await("Listening on w.socket.");
        for (int i = 0; i < 2; i++) {
            try (Socket client = new Socket("127.0.0.1", port)) {
                client.setSoTimeout((int) DaemonProcess.DEADLINE_MS);
                assertThat(client.getInputStream().read()).as(d::log).isEqualTo(-1);   // the instance has exited
            }
            d.await(".service: Deactivated successfully.", i + 1);
        }
        assertThat(d.terminate()).as(d::log).isZero();
        return Files.readString(file);
    }

    /** Every start's null stdin and stderr are /dev/null (sockactd opens it once and gives it to each child). */
    @Test
    void nullInputAndErrorAreDevNullAtEveryStart() throws Exception {
        String each = "/dev/null\n/dev/null\neof\n";
        assertThat(twoStartsWith("readlink /proc/self/fd/0 /proc/self/fd/2 >>FILE; read x || echo eof >>FILE",
                "StandardInput=null\nStandardError=null\n")).isEqualTo(OLD + each + each);
    }

    @Test
    void fileWritesFromTheStartWithoutTruncating() throws Exception {
        assertThat(twoStartsWith("echo new", "StandardOutput=file:FILE\n")).isEqualTo("new\n old content\n");
    }

    @Test
    void truncateEmptiesTheFileAtEachStart() throws Exception {
        assertThat(twoStartsWith("echo new", "StandardOutput=truncate:FILE\n")).isEqualTo("new\n");
    }

    @Test
    void appendAppendsAtEachStart() throws Exception {
        assertThat(twoStartsWith("echo new", "StandardOutput=append:FILE\n")).isEqualTo(OLD + "new\nnew\n");
    }

    @Test
    void stdoutAndStderrToTheSameFileShareOneOffset() throws Exception {
        assertThat(twoStartsWith("echo out; echo err >&2", "StandardOutput=truncate:FILE\nStandardError=truncate:FILE\n"))
                .isEqualTo("out\nerr\n");
        assertThat(twoStartsWith("echo out; echo err >&2", "StandardOutput=file:FILE\nStandardError=file:FILE\n"))
                .isEqualTo("out\nerr\n content\n");
    }

    @Test
    void stdoutAndStderrInDifferentModesOpenTheFileTwice() throws Exception {
        // As in systemd: different modes are separate opens, so stderr's file: write starts at 0 again and
        // overwrites what stdout's truncate: wrote.
        assertThat(twoStartsWith("echo out; echo err >&2", "StandardOutput=truncate:FILE\nStandardError=file:FILE\n"))
                .isEqualTo("err\n");
    }
}
