package dev.sockact.daemon;

import dev.sockact.posix.Errno;
import dev.sockact.posix.ErrnoException;
import dev.sockact.posix.ExitStatus;
import dev.sockact.posix.PosixFiles;
import dev.sockact.posix.Users;
import dev.sockact.text.ExitStatusNames;
import dev.sockact.unit.ExecCommand;
import dev.sockact.unit.ExecDirectories;
import dev.sockact.unit.ExecDirectories.Kind;
import dev.sockact.unit.ServiceUnit;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * RuntimeDirectory=, StateDirectory=, CacheDirectory=, LogsDirectory=, ConfigurationDirectory= as systemd 252's
 * setup_exec_directory() makes them, before the service's first command: each path under its kind's base folder,
 * missing parents made 0755, the directory itself given its mode (also when it exists) and, under the system
 * manager, handed with everything in it to User=/Group= (root where unset); a ConfigurationDirectory= that exists
 * is left as it is. The commands get {@code $RUNTIME_DIRECTORY}... (absolute paths joined with {@code :}). The
 * runtime directories go when the service stops, as RuntimeDirectoryPreserve= says.
 */
final class ServiceDirectories {
    private static final System.Logger LOG = System.getLogger("sockactd");
    /**
     * For tests only: a folder that stands for {@code /} in the system manager's base folders
     * ({@code ROOT/run}, {@code ROOT/var/lib}...), so that a test need not write to the machine's.
     */
    static final String TEST_ROOT_VARIABLE = "SOCKACTD_DIRECTORY_ROOT_FOR_TESTS";

    private ServiceDirectories() {
        throw new AssertionError();
    }

    /** The base folder of each kind: systemd's manager prefixes. */
    record Bases(Map<Kind, Path> byKind) {
        Bases {
            byKind = Map.copyOf(byKind);
        }

        Path of(Kind kind) {
            return byKind.get(kind);
        }

        /**
         * {@code /run}, {@code /var/lib}, {@code /var/cache}, {@code /var/log}, {@code /etc}; for a user manager
         * {@code $XDG_RUNTIME_DIR}, {@code $XDG_STATE_HOME} (~/.local/state), {@code $XDG_CACHE_HOME} (~/.cache),
         * the state folder's {@code log}, {@code $XDG_CONFIG_HOME} (~/.config), as systemd --user's.
         */
        static Bases of(boolean userManager, Map<String, String> environment) {
            Map<Kind, Path> bases = new EnumMap<>(Kind.class);
            if (userManager) {
                Path home = Path.of(environment.getOrDefault("HOME", System.getProperty("user.home")));
                String runtime = environment.get("XDG_RUNTIME_DIR");
                if (runtime != null && runtime.startsWith("/")) {
                    bases.put(Kind.RUNTIME, Path.of(runtime));
                }
                Path state = xdg(environment, "XDG_STATE_HOME", home.resolve(".local/state"));
                bases.put(Kind.STATE, state);
                bases.put(Kind.CACHE, xdg(environment, "XDG_CACHE_HOME", home.resolve(".cache")));
                bases.put(Kind.LOGS, state.resolve("log"));
                bases.put(Kind.CONFIGURATION, xdg(environment, "XDG_CONFIG_HOME", home.resolve(".config")));
            } else {
                Path root = Path.of(environment.getOrDefault(TEST_ROOT_VARIABLE, "/"));
                bases.put(Kind.RUNTIME, root.resolve("run"));
                bases.put(Kind.STATE, root.resolve("var/lib"));
                bases.put(Kind.CACHE, root.resolve("var/cache"));
                bases.put(Kind.LOGS, root.resolve("var/log"));
                bases.put(Kind.CONFIGURATION, root.resolve("etc"));
            }
            return new Bases(bases);
        }

        /** sd_path's rule: the variable when it is an absolute path, else the default. */
        private static Path xdg(Map<String, String> environment, String name, Path fallback) {
            String value = environment.get(name);
            return value != null && value.startsWith("/") ? Path.of(value) : fallback;
        }
    }

    /** A directory that could not be made: its kind (the exit status) and systemd's message. */
    static final class SetupException extends IOException {
        private static final long serialVersionUID = 1L;
        private final transient Kind kind;
        private final String reason;

        SetupException(Kind kind, Path base, String reason) {
            super("Failed to set up special execution directory in " + base + ": " + reason);
            this.kind = kind;
            this.reason = reason;
        }

        /** The exit status name systemd's child reports: RUNTIME_DIRECTORY... */
        String step() {
            return kind.variable();
        }

        /** strerror alone ("File exists"), for the "Failed at step" line. */
        String reason() {
            return reason;
        }
    }

    /**
     * Makes the unit's directories, owned by its User=/Group= under the system manager, and returns the variables
     * that name them; a unit without any pays for nothing.
     */
    static Map<String, String> setUp(ServiceUnit unit, UnitEnvironment.Credentials credentials, boolean userManager)
            throws SetupException {
        if (unit.directories().isEmpty()) {
            return Map.of();
        }
        Owner owner = null;
        if (!userManager) {
            // EXEC_CHOWN_DIRECTORIES: an unset user or group is root.
            Users.User user = credentials.user();
            int uid = user != null ? user.uid() : 0;
            int gid = credentials.gid() != null ? credentials.gid() : user != null ? user.gid() : 0;
            owner = new Owner(uid, gid);
        }
        return setUp(unit.directories(), Bases.of(userManager, System.getenv()), owner);
    }

    /**
     * What systemd logs when its child could not make a directory, and the exit status it reports for the command
     * that was to run: the start then fails as that command's failure would, with result exit-code.
     */
    static void logFailure(ServiceUnit unit, SetupException e) {
        String name = unit.name().toString();
        List<ExecCommand> first = !unit.execStartPre().isEmpty() ? unit.execStartPre() : unit.execStart();
        String command = first.isEmpty() ? name : first.getFirst().path();
        LOG.log(Level.ERROR, name + ": " + e.getMessage());
        LOG.log(Level.ERROR, name + ": Failed at step " + e.step() + " spawning " + command + ": " + e.reason());
        String process = !unit.execStartPre().isEmpty() || unit.execStart().isEmpty() ? "Control" : "Main";
        LOG.log(Level.INFO, name + ": " + process + " process exited, "
                + ExitStatuses.describe(ExitStatus.exited(0, ExitStatusNames.code(e.step()))));
    }

    /**
     * The unit's directories, owned as given.
     *
     * @param owner uid and gid to hand them to, or null to leave them as made (the user manager)
     */
    static Map<String, String> setUp(ExecDirectories directories, Bases bases, Owner owner)
            throws SetupException {
        Map<String, String> variables = new LinkedHashMap<>();
        for (Kind kind : Kind.values()) {
            List<String> paths = directories.paths(kind);
            if (paths.isEmpty()) {
                continue;
            }
            Path base = bases.of(kind);
            if (base == null) {
                throw new SetupException(kind, Path.of("$XDG_RUNTIME_DIR"), "the variable is not set");
            }
            List<String> absolute = new ArrayList<>();
            for (String relative : paths) {
                Path path = base.resolve(relative);
                try {
                    makeOne(kind, relative, path, directories.mode(kind), owner);
                } catch (ErrnoException e) {
                    throw new SetupException(kind, base, e.strerror());
                } catch (IOException e) {
                    throw new SetupException(kind, base, e.getMessage());
                }
                absolute.add(path.toString());
            }
            variables.put(kind.variable(), String.join(":", absolute));
        }
        return variables;
    }

    /** Who the directories belong to under the system manager. */
    record Owner(int uid, int gid) {
    }

    private static void makeOne(Kind kind, String relative, Path path, int mode, Owner owner) throws IOException {
        makeParents(path.getParent());
        try {
            PosixFiles.mkdir(path.toString(), mode);
        } catch (ErrnoException e) {
            if (e.errno() != Errno.EEXIST.number()) {
                throw e;
            }
            if (!Files.isDirectory(path)) {
                throw new ErrnoException("mkdir", Errno.ENOTDIR.number(), path.toString());
            }
            if (kind == Kind.CONFIGURATION) {
                // Not written by the service as a rule, so neither its owner nor its mode is changed.
                int existing = (int) Files.getAttribute(path, "unix:mode") & 07777;
                if (existing != mode) {
                    LOG.log(Level.WARNING, String.format("%s '%s' already exists but the mode is different. "
                            + "(File system: %o %sMode: %o)", kind.key(), relative, existing, kind.key(), mode));
                }
                return;
            }
        }
        PosixFiles.chmod(path.toString(), mode);
        if (owner != null) {
            chownTree(path, owner);
        }
    }

    /**
     * mkdir -p with mode 0755 for what is missing above the directory: systemd's umask is 0022, so the mode is set
     * explicitly, whatever umask sockactd was started with.
     */
    private static void makeParents(Path parent) throws ErrnoException {
        if (parent == null || Files.isDirectory(parent)) {
            return;
        }
        makeParents(parent.getParent());
        try {
            PosixFiles.mkdir(parent.toString(), 0755);
            PosixFiles.chmod(parent.toString(), 0755);
        } catch (ErrnoException e) {
            if (e.errno() != Errno.EEXIST.number() || !Files.isDirectory(parent)) {
                throw e;
            }
        }
    }

    /**
     * path_chown_recursive(): the directory and everything in it to the owner, links themselves rather than what
     * they point to; nothing is walked when the directory already has that owner.
     */
    private static void chownTree(Path top, Owner owner) throws IOException {
        int uid = (int) Files.getAttribute(top, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        int gid = (int) Files.getAttribute(top, "unix:gid", LinkOption.NOFOLLOW_LINKS);
        if (uid == owner.uid() && gid == owner.gid()) {
            return;
        }
        Files.walkFileTree(top, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes) throws IOException {
                PosixFiles.chown(dir.toString(), owner.uid(), owner.gid());
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                PosixFiles.chown(file.toString(), owner.uid(), owner.gid());
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /**
     * The runtime directories once the service has stopped: removed with what is in them (the paths given, not
     * their parents) unless RuntimeDirectoryPreserve=yes, or =restart while an automatic restart is due.
     */
    static void stopped(ServiceUnit unit, boolean userManager, boolean restarting) {
        ExecDirectories directories = unit.directories();
        List<String> paths = directories.paths(Kind.RUNTIME);
        ExecDirectories.Preserve preserve = directories.preserve();
        if (paths.isEmpty() || preserve == ExecDirectories.Preserve.YES
                || (preserve == ExecDirectories.Preserve.RESTART && restarting)) {
            return;
        }
        Path base = Bases.of(userManager, System.getenv()).of(Kind.RUNTIME);
        if (base == null) {
            return;
        }
        for (String relative : paths) {
            PrivateTmp.removeQuietly(base.resolve(relative));
        }
    }
}
