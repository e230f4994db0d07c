package dev.sockact.activation;

import dev.sockact.posix.Errno;
import dev.sockact.posix.ErrnoException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A command to run: the resolved executable and its argv (argv[0] as the user wrote it).
 * Resolution follows execvp(3): a name with a slash is used as is, otherwise PATH is searched.
 */
public record Program(String path, List<String> argv) {
    public Program {
        argv = List.copyOf(argv);
    }

    /** The user's words, for messages: "cat (cat -n)". */
    public String describe() {
        return argv.getFirst() + " (" + String.join(" ", argv) + ")";
    }

    public static Program resolve(List<String> command, String searchPath) throws ErrnoException {
        String name = command.getFirst();
        if (name.contains("/")) {
            Path p = Path.of(name).toAbsolutePath();
            if (!Files.isRegularFile(p)) {
                throw new ErrnoException("execvp", Errno.ENOENT.number(), name);
            }
            if (!Files.isExecutable(p)) {
                throw new ErrnoException("execvp", Errno.EACCES.number(), name);
            }
            return new Program(p.toString(), command);
        }
        boolean sawDenied = false;
        for (String dir : (searchPath == null ? "/usr/local/bin:/usr/bin:/bin" : searchPath).split(":")) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, name).toAbsolutePath();
            if (Files.isRegularFile(candidate)) {
                if (Files.isExecutable(candidate)) {
                    return new Program(candidate.toString(), command);
                }
                sawDenied = true;
            }
        }
        throw new ErrnoException("execvp", (sawDenied ? Errno.EACCES : Errno.ENOENT).number(), name);
    }
}
