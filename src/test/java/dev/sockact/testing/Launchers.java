package dev.sockact.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The built launchers in bin/ and systemd's tools, where installed. */
public final class Launchers {
    public static final Path SYSTEMD_SOCKET_ACTIVATE = Path.of("/usr/bin/systemd-socket-activate");
    public static final Path SYSTEMD_SOCKET_PROXYD = Path.of("/lib/systemd/systemd-socket-proxyd");

    private Launchers() {
        throw new AssertionError();
    }

    /** bin/socket-activate of this checkout (integration tests run in the project folder, after package). */
    public static Path socketActivate() {
        return Path.of("bin", "socket-activate").toAbsolutePath();
    }

    public static boolean installed(Path tool) {
        return Files.isExecutable(tool);
    }

    /** {@code tool} followed by {@code args}. */
    public static List<String> command(Path tool, String... args) {
        List<String> command = new ArrayList<>();
        command.add(tool.toString());
        command.addAll(List.of(args));
        return command;
    }
}
