package dev.sockact.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** bin/sockctl as a real process: its exit status, stdout and stderr. */
public final class Sockctl {
    public static final Path PATH = Path.of("bin/sockctl").toAbsolutePath();

    private Sockctl() {
        throw new AssertionError();
    }

    /** One run's exit status and everything it printed. */
    public record Run(int status, String out, String err) {
    }

    /** bin/sockctl {@code args}, as given. */
    public static Run sockctl(Path scratch, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(PATH.toString()));
        command.addAll(List.of(args));
        return run(scratch, command);
    }

    /**
     * Runs {@code command} (bin/sockctl, perhaps behind setpriv) to its end; stdout and stderr go through files in
     * {@code scratch}, so a full pipe can never block it.
     */
    public static Run run(Path scratch, List<String> command) throws IOException, InterruptedException {
        Path out = Files.createTempFile(scratch, "out", ".txt");
        Path err = Files.createTempFile(scratch, "err", ".txt");
        Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertThat(p.waitFor(DaemonProcess.DEADLINE_MS * 2, TimeUnit.MILLISECONDS)).isTrue();
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }
}
