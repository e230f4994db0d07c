package dev.sockact.posix;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The pipes the daemon makes for a child's output, checked through the kernel's own view of each end. */
class PipesTest {

    @Test
    void onlyTheReadEndOfAnOutputPipeIsNonBlockingAndBothAreCloseOnExec() throws Exception {
        try (Pipes.Pipe pipe = Pipes.withNonBlockingReadEnd()) {
            int read = flags(pipe.readEnd());
            int write = flags(pipe.writeEnd());
            assertThat(read & Io.O_NONBLOCK).isEqualTo(Io.O_NONBLOCK);
            assertThat(write & Io.O_NONBLOCK).isZero();
            assertThat(read & Io.O_CLOEXEC).isEqualTo(Io.O_CLOEXEC);
            assertThat(write & Io.O_CLOEXEC).isEqualTo(Io.O_CLOEXEC);
            assertThat(read & 3).isZero();    // O_RDONLY
            assertThat(write & 3).isEqualTo(1);   // O_WRONLY
        }
    }

    /** The "flags:" line of /proc/self/fdinfo/FD, octal. */
    private static int flags(Fd fd) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/fdinfo/" + fd.fd()))) {
            if (line.startsWith("flags:")) {
                return Integer.parseInt(line.substring("flags:".length()).strip(), 8);
            }
        }
        throw new AssertionError("no flags line for fd " + fd.fd());
    }
}
