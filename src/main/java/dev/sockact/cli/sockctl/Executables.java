package dev.sockact.cli.sockctl;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Whether a command path can be run: absolute, or found in PATH, like systemd's find_executable_full(). */
final class Executables {

    private static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private Executables() {
    }

    /** Empty when {@code path} is executable, otherwise the strerror text of the reason. */
    static Optional<String> problem(String path) {
        if (path.startsWith("/")) {
            return check(Path.of(path));
        }
        for (String dir : System.getenv().getOrDefault("PATH", DEFAULT_PATH).split(":")) {
            if (!dir.isEmpty() && check(Path.of(dir, path)).isEmpty()) {
                return Optional.empty();
            }
        }
        return Optional.of("No such file or directory");
    }

    private static Optional<String> check(Path file) {
        if (!Files.exists(file)) {
            return Optional.of("No such file or directory");
        }
        if (Files.isDirectory(file)) {
            return Optional.of("Is a directory");
        }
        if (!Files.isExecutable(file)) {
            return Optional.of("Permission denied");
        }
        return Optional.empty();
    }
}
