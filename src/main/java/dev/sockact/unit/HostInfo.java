package dev.sockact.unit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The machine and manager facts specifiers expand to ({@code %H %m %b %u %t ...}), read once. Tests build one
 * directly so that expansions are predictable.
 */
public record HostInfo(ManagerScope scope, String hostname, String machineId, String bootId, String kernelRelease,
                       String architecture, Map<String, String> osRelease, String prettyHostname,
                       String userName, long uid, String groupName, long gid, String home, String shell,
                       String runtimeDir, String configDir, String stateDir, String cacheDir, String logsDir,
                       String tmpDir) {

    public HostInfo {
        osRelease = Map.copyOf(osRelease);
    }

    /** Reads the facts of this machine for {@code scope}, as the manager of that scope would see them. */
    public static HostInfo current(ManagerScope scope) {
        String hostname = firstLine(Path.of("/proc/sys/kernel/hostname"), "localhost");
        Map<String, String> osRelease = keyValueFile(Files.exists(Path.of("/etc/os-release"))
                ? Path.of("/etc/os-release") : Path.of("/usr/lib/os-release"));
        String pretty = keyValueFile(Path.of("/etc/machine-info")).getOrDefault("PRETTY_HOSTNAME", hostname);
        String machineId = firstLine(Path.of("/etc/machine-id"), "");
        String bootId = firstLine(Path.of("/proc/sys/kernel/random/boot_id"), "").replace("-", "");
        String tmp = System.getenv().getOrDefault("TMPDIR", "/tmp");
        String arch = architecture(System.getProperty("os.arch"));
        String kernel = System.getProperty("os.version");
        if (scope == ManagerScope.SYSTEM) {
            return new HostInfo(scope, hostname, machineId, bootId, kernel, arch, osRelease, pretty,
                    "root", 0, "root", 0, "/root", "/bin/sh", "/run", "/etc", "/var/lib", "/var/cache",
                    "/var/log", tmp);
        }
        XdgDirectories xdg = XdgDirectories.current();
        long uid = statusId("Uid:");
        long gid = statusId("Gid:");
        return new HostInfo(scope, hostname, machineId, bootId, kernel, arch, osRelease, pretty,
                System.getProperty("user.name"), uid, groupName(gid), gid, xdg.home(),
                System.getenv().getOrDefault("SHELL", "/bin/sh"), xdg.runtime().orElse("/run/user/" + uid),
                xdg.config(), xdg.config(), xdg.cache(), xdg.config() + "/log", tmp);
    }

    /** The short host name ({@code %l}): up to the first dot. */
    public String shortHostname() {
        int dot = hostname.indexOf('.');
        return dot < 0 ? hostname : hostname.substring(0, dot);
    }

    private static String architecture(String javaArch) {
        return switch (javaArch) {
            case "amd64", "x86_64" -> "x86-64";
            case "aarch64" -> "arm64";
            case "x86", "i386" -> "x86";
            default -> javaArch;
        };
    }

    private static String firstLine(Path file, String fallback) {
        try {
            List<String> lines = Files.readAllLines(file);
            return lines.isEmpty() ? fallback : lines.getFirst().strip();
        } catch (IOException | RuntimeException e) {
            return fallback;
        }
    }

    private static Map<String, String> keyValueFile(Path file) {
        Map<String, String> values = new HashMap<>();
        try {
            for (String line : Files.readAllLines(file)) {
                int eq = line.indexOf('=');
                if (eq > 0 && !line.startsWith("#")) {
                    values.put(line.substring(0, eq).strip(), unquote(line.substring(eq + 1).strip()));
                }
            }
        } catch (IOException | RuntimeException e) {
            // a missing file leaves the specifiers empty, as systemd does
        }
        return values;
    }

    private static String unquote(String value) {
        if (value.length() >= 2 && (value.startsWith("\"") && value.endsWith("\"")
                || value.startsWith("'") && value.endsWith("'"))) {
            return value.substring(1, value.length() - 1);
        }
        return value;
    }

    private static long statusId(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.substring(field.length()).strip().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through
        }
        return -1;
    }

    private static String groupName(long gid) {
        try {
            for (String line : Files.readAllLines(Path.of("/etc/group"))) {
                String[] fields = line.split(":");
                if (fields.length > 2 && fields[2].equals(Long.toString(gid))) {
                    return fields[0];
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through
        }
        return Long.toString(gid);
    }
}
