package dev.sockact.daemon;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A running bin/sockactd (debug log level) and everything it logged so far, for the daemon's integration tests
 * ({@link SockactdIT}, {@link AcceptIT}). Waits are deadlines that only keep a broken run from hanging.
 */
final class SockactdProcess {
    static final Path LAUNCHER = Path.of("bin/sockactd").toAbsolutePath();
    static final long DEADLINE_MS = 60_000;

    final Process process;
    final StringBuilder log = new StringBuilder();

    SockactdProcess(Process process) {
        this.process = process;
        Thread.ofVirtual().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getErrorStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    synchronized (log) {
                        log.append(line).append('\n');
                        log.notifyAll();
                    }
                }
            } catch (IOException ignored) {
                // process gone
            }
        });
    }

    String log() {
        synchronized (log) {
            return log.toString();
        }
    }

    /** Waits until the log holds {@code text} {@code times} times. */
    String await(String text, int times) throws InterruptedException {
        long end = System.currentTimeMillis() + DEADLINE_MS;
        synchronized (log) {
            while (count(log.toString(), text) < times) {
                long left = end - System.currentTimeMillis();
                assertThat(left).as("waiting for '" + text + "' x" + times + " in:\n" + log).isPositive();
                log.wait(Math.min(left, 200));
            }
            return log.toString();
        }
    }

    String await(String text) throws InterruptedException {
        return await(text, 1);
    }

    int terminate() throws InterruptedException {
        process.toHandle().destroy();   // SIGTERM
        assertThat(process.waitFor(DEADLINE_MS, TimeUnit.MILLISECONDS)).as(log()).isTrue();
        return process.exitValue();
    }

    private static int count(String haystack, String needle) {
        int n = 0;
        for (int i = haystack.indexOf(needle); i >= 0; i = haystack.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }

    /** Starts bin/sockactd on {@code units} with its control socket at {@code controlSocket}. */
    static SockactdProcess start(Path units, Path controlSocket, String... extra) throws IOException {
        assumeTrue(Files.exists(Path.of("target/sockact.jar")), "target/sockact.jar not built");
        List<String> command = new ArrayList<>(List.of(LAUNCHER.toString(), "--unit-dir", units.toString(),
                "--control-socket", controlSocket.toString()));
        command.addAll(List.of(extra));
        ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("SOCKACT_LOG_LEVEL", "debug");
        return new SockactdProcess(pb.start());
    }

    /** SIGTERM, unless it already ended; SIGKILL if it does not end within 30 s (test clean-up). */
    void kill() throws InterruptedException {
        if (process.isAlive()) {
            process.toHandle().destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
