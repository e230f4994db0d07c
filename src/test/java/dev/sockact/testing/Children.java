package dev.sockact.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The processes a test started: each one's stderr goes to a file in the
 * test's temp folder, and {@link #close()} (from {@code @AfterEach}) kills
 * every one of them and their descendants, so no test leaves a process behind.
 */
public final class Children implements AutoCloseable {
    private final Path directory;
    private final List<Process> processes = new ArrayList<>();
    private final List<Integer> pids = new ArrayList<>();
    private int count;

    public Children(Path directory) {
        this.directory = directory;
    }

    /** Starts {@code command}; stdout and stderr go to files ({@link Started#stdout()}, {@link Started#stderr()}). */
    public Started start(List<String> command) {
        return start(new ProcessBuilder(command));
    }

    public Started start(ProcessBuilder builder) {
        int n = ++count;
        Path out = directory.resolve("process-" + n + ".out");
        Path err = directory.resolve("process-" + n + ".err");
        builder.redirectOutput(out.toFile()).redirectError(err.toFile());
        if (builder.redirectInput() == ProcessBuilder.Redirect.PIPE) {
            builder.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        }
        try {
            Process p = builder.start();
            processes.add(p);
            return new Started(p, out, err);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Also kills {@code pid} (a process started some other way, e.g. with Spawner) on close. */
    public void own(int pid) {
        pids.add(pid);
    }

    @Override
    public void close() {
        for (Process p : processes) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        for (int pid : pids) {
            ProcessHandle.of(pid).ifPresent(h -> {
                h.descendants().forEach(ProcessHandle::destroyForcibly);
                h.destroyForcibly();
            });
        }
        for (Process p : processes) {
            try {
                p.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** A started process with its output files. */
    public record Started(Process process, Path stdout, Path stderr) {
        public String stdoutText() {
            return read(stdout);
        }

        public String stderrText() {
            return read(stderr);
        }

        /** Waits (bounded) for the process to exit and returns its status. */
        public int exitCode() {
            try {
                if (!process.waitFor(Await.DEFAULT.toSeconds(), TimeUnit.SECONDS)) {
                    throw new AssertionError("process still running after " + Await.DEFAULT + "; stderr: " + stderrText());
                }
                return process.exitValue();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }

        /** Waits until stderr contains {@code text}. */
        public void awaitStderr(String text) {
            Await.until("\"" + text + "\" on stderr", () -> {
                if (!process.isAlive() && !stderrText().contains(text)) {
                    throw new AssertionError("process exited (" + process.exitValue() + ") before printing \""
                            + text + "\"; stderr: " + stderrText());
                }
                return stderrText().contains(text);
            });
        }

        public void awaitStdout(String text, Duration timeout) {
            Await.until("\"" + text + "\" on stdout", timeout, () -> stdoutText().contains(text));
        }

        private static String read(Path file) {
            try {
                return Files.readString(file);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
