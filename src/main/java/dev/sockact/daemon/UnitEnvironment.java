package dev.sockact.daemon;

import dev.sockact.posix.Errno;
import dev.sockact.posix.ErrnoException;
import dev.sockact.posix.Processes;
import dev.sockact.posix.Users;
import dev.sockact.unit.ServiceUnit;
import dev.sockact.unit.load.RegularFiles;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The environment and credentials a service's commands run with, as systemd's exec_context builds them: the
 * manager's few variables, USER/LOGNAME/HOME/SHELL, Environment=, EnvironmentFile=, PassEnvironment=, then
 * UnsetEnvironment=.
 */
final class UnitEnvironment {
    private static final System.Logger LOG = System.getLogger("sockactd");
    static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    /** Bound on an EnvironmentFile=; bigger files are refused. */
    static final long MAX_ENVIRONMENT_FILE = 1 << 20;

    private UnitEnvironment() {
        throw new AssertionError();
    }

    /** What the manager passes to every unit: PATH, and LANG when set. */
    static Map<String, String> managerEnvironment(boolean userManager) {
        Map<String, String> env = new LinkedHashMap<>();
        Map<String, String> own = System.getenv();
        env.put("PATH", userManager ? own.getOrDefault("PATH", DEFAULT_PATH) : DEFAULT_PATH);
        for (String name : List.of("LANG", "XDG_RUNTIME_DIR")) {
            if (own.containsKey(name) && (userManager || name.equals("LANG"))) {
                env.put(name, own.get(name));
            }
        }
        return env;
    }

    /**
     * The user a service runs as (null for sockactd's own), the setpriv prefix that switches to it, and the rest of
     * what the process is made with ({@link ProcessSetup}).
     */
    record Credentials(Users.User user, Integer gid, ProcessSetup process) {
        /** argv in front of commands without the {@code +} prefix (setpriv ...), or empty. */
        List<String> argvPrefix() {
            return process.credentials();
        }
    }

    /**
     * User=/Group= resolved. As root they become a setpriv(1) prefix; for another user without root the start
     * fails with EPERM, as systemd's user manager cannot switch either.
     */
    static Credentials credentials(ServiceUnit unit) throws IOException {
        String userName = unit.user();
        String groupName = unit.group();
        Users.User user = userName.isEmpty() ? null : lookupUser(userName);
        Integer gid = groupName.isEmpty() ? null : lookupGroup(groupName);
        int ownUid = Processes.uid();
        boolean sameUser = user == null || user.uid() == ownUid;
        boolean sameGroup = gid == null || gid == Processes.gid();
        boolean switches = !(sameUser && sameGroup);
        if (switches && ownUid != 0) {
            throw new ErrnoException("setresuid", Errno.EPERM.number(),
                    user != null ? user.name() : groupName);
        }
        Integer runGid = gid != null ? gid : user != null ? Integer.valueOf(user.gid()) : null;
        ProcessSetup process = ProcessSetup.of(unit.process(), user, runGid, switches);
        return new Credentials(user, gid, process);
    }

    private static Users.User lookupUser(String name) throws IOException {
        if (name.chars().allMatch(Character::isDigit)) {
            int uid = Integer.parseInt(name);
            return new Users.User(name, uid, uid, "/", "/bin/sh");
        }
        return Users.user(name).orElseThrow(() -> new IOException("Failed to determine user credentials: No such process"
                + " (user '" + name + "' not found)"));
    }

    private static int lookupGroup(String name) throws IOException {
        if (name.chars().allMatch(Character::isDigit)) {
            return Integer.parseInt(name);
        }
        return Users.groupId(name).orElseThrow(() -> new IOException("Failed to determine group credentials: No such"
                + " process (group '" + name + "' not found)"));
    }

    /** The environment of {@code unit}'s commands (before LISTEN_* and NOTIFY_SOCKET). */
    static Map<String, String> build(ServiceUnit unit, Map<String, String> manager, Credentials credentials,
                                     boolean userManager) throws IOException {
        Map<String, String> env = new LinkedHashMap<>(manager);
        Users.User user = credentials.user();
        if (user == null && userManager) {
            user = Users.user(System.getProperty("user.name")).orElse(null);
        }
        if (user != null) {
            env.put("USER", user.name());
            env.put("LOGNAME", user.name());
            env.put("HOME", user.home());
            env.put("SHELL", user.shell());
        }
        for (String assignment : unit.environment()) {
            put(env, assignment);
        }
        for (String file : unit.environmentFiles()) {
            boolean optional = file.startsWith("-");
            Path path = Path.of(optional ? file.substring(1) : file);
            byte[] content;
            try {
                content = RegularFiles.read(path, MAX_ENVIRONMENT_FILE);
            } catch (RegularFiles.RefusedException e) {
                boolean missing = !Files.exists(path);
                if (optional && missing) {
                    continue;
                }
                if (missing) {
                    throw new IOException("Failed to load environment files: No such file or directory (" + path + ")");
                }
                if (optional) {
                    LOG.log(Level.WARNING, unit.name() + ": Failed to load environment file " + path
                            + ", ignoring: " + e.reason());
                    continue;
                }
                throw new IOException("Failed to load environment file " + path + ": " + e.reason());
            }
            parseEnvironmentFile(new String(content, StandardCharsets.UTF_8)).forEach(env::put);
        }
        Map<String, String> own = System.getenv();
        for (String name : unit.passEnvironment()) {
            if (own.containsKey(name)) {
                env.put(name, own.get(name));
            }
        }
        for (String entry : unit.unsetEnvironment()) {
            int eq = entry.indexOf('=');
            if (eq < 0) {
                env.remove(entry);
            } else if (entry.substring(eq + 1).equals(env.get(entry.substring(0, eq)))) {
                env.remove(entry.substring(0, eq));
            }
        }
        return env;
    }

    private static void put(Map<String, String> env, String assignment) {
        int eq = assignment.indexOf('=');
        if (eq > 0) {
            env.put(assignment.substring(0, eq), assignment.substring(eq + 1));
        }
    }

    /**
     * EnvironmentFile= syntax (load_env_file()): {@code KEY=VALUE} lines, {@code #}/{@code ;} comments, optional
     * {@code export}, single or double quotes, backslash line continuation.
     */
    static Map<String, String> parseEnvironmentFile(String text) {
        Map<String, String> result = new LinkedHashMap<>();
        String joined = text.replace("\\\n", "");
        for (String raw : joined.split("\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
                continue;
            }
            if (line.startsWith("export ")) {
                line = line.substring(7).strip();
            }
            int eq = line.indexOf('=');
            if (eq <= 0) {
                continue;
            }
            String key = line.substring(0, eq).strip();
            String value = line.substring(eq + 1).strip();
            if (value.length() >= 2 && (value.startsWith("\"") && value.endsWith("\"")
                    || value.startsWith("'") && value.endsWith("'"))) {
                boolean doubleQuoted = value.charAt(0) == '"';
                value = value.substring(1, value.length() - 1);
                if (doubleQuoted) {
                    value = value.replaceAll("\\\\([\"\\\\`$])", "$1");
                }
            }
            result.put(key, value);
        }
        return result;
    }
}
