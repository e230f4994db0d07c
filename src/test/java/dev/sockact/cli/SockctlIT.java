package dev.sockact.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** bin/sockctl as a real process (needs target/sockact.jar from the package phase). */
class SockctlIT {

    private static final Path LAUNCHER = Path.of("bin/sockctl").toAbsolutePath();

    @TempDir
    Path dir;

    private record Result(int status, String output) {
    }

    private static Result sockctl(String... args) throws IOException, InterruptedException {
        assumeTrue(Files.exists(Path.of("target/sockact.jar")), "target/sockact.jar not built");
        String[] command = new String[args.length + 1];
        command[0] = LAUNCHER.toString();
        System.arraycopy(args, 0, command, 1, args.length);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Result(process.exitValue(), output);
    }

    @Test
    void verifyReportsFileAndLineAndExitsOne() throws Exception {
        Files.writeString(dir.resolve("t.socket"), "[Socket]\nListenStream=8080\nBacklog=lots\n");
        Result result = sockctl("verify", dir.resolve("t.socket").toString());
        assertThat(result.status()).isEqualTo(1);
        assertThat(result.output()).contains(dir.resolve("t.socket") + ":3: Failed to parse unsigned value, ignoring: lots")
                .contains("t.socket: service t.service not loaded, socket cannot be started.");
    }

    @Test
    void showPrintsListen() throws Exception {
        Files.writeString(dir.resolve("t.socket"), "[Socket]\nListenStream=127.0.0.1:8080\n");
        Result result = sockctl("show", "--unit-dir", dir.toString(), "t.socket", "-p", "Listen");
        assertThat(result.status()).isZero();
        assertThat(result.output()).isEqualTo("Listen=127.0.0.1:8080 (Stream)\n");
    }
}
