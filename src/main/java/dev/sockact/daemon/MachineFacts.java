package dev.sockact.daemon;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the conditions ask of the machine, read from /proc, /sys and /etc as systemd's helpers read them: mount
 * points, the architecture, memory and CPUs, credentials, cgroup controllers, power, os-release, firmware.
 */
final class MachineFacts {
    private static final Set<String> ARCHITECTURES = Set.of("x86", "x86-64", "ppc", "ppc-le", "ppc64", "ppc64-le",
            "ia64", "parisc", "parisc64", "s390", "s390x", "sparc", "sparc64", "mips", "mips-le", "mips64",
            "mips64-le", "alpha", "arm", "arm-be", "arm64", "arm64-be", "sh", "sh64", "m68k", "tilegx", "cris",
            "nios2", "riscv32", "riscv64", "arc", "arc-be", "loongarch64");
    private static final Set<String> CONTROLLERS = Set.of("cpu", "cpuacct", "cpuset", "io", "blkio", "memory",
            "devices", "pids", "bpf-firewall", "bpf-devices", "bpf-foreign", "bpf-socket-bind",
            "bpf-restrict-network-interfaces");
    private static final String SECURE_BOOT_VARIABLE =
            "/sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c";

    private MachineFacts() {
    }

    // ---- mounts --------------------------------------------------------------------------------------------------

    /** One line of /proc/self/mountinfo: the mount point (unescaped) and the file system type. */
    record Mount(String point, String type) {
    }

    static List<Mount> mounts() {
        List<Mount> out = new ArrayList<>();
        for (String line : Virtualization.read("/proc/self/mountinfo").split("\n")) {
            String[] f = line.split(" ");
            int dash = List.of(f).indexOf("-");
            if (f.length > 4 && dash > 4 && dash + 1 < f.length) {
                out.add(new Mount(unescape(f[4]), f[dash + 1]));
            }
        }
        return out;
    }

    /** mountinfo escapes space, tab, newline and backslash as three octal digits. */
    private static String unescape(String s) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == '\\' && i + 3 < s.length() && s.substring(i + 1, i + 4).matches("[0-7]{3}")) {
                out.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                out.append(s.charAt(i));
            }
        }
        return out.toString();
    }

    /** {@code path_is_mount_point(path, NULL, AT_SYMLINK_FOLLOW)}. */
    static boolean isMountPoint(Path path) {
        String real;
        try {
            real = path.toRealPath().toString();
        } catch (IOException | RuntimeException e) {
            return false;
        }
        return mounts().stream().anyMatch(m -> m.point().equals(real));
    }

    // ---- ConditionNeedsUpdate= -----------------------------------------------------------------------------------

    /**
     * {@code condition_test_needs_update()}: /usr is newer than {@code dir/.updated} (a missing stamp needs an update);
     * never in an initrd or on a read-only file system; {@code systemd.condition-needs-update=} overrides.
     */
    static boolean needsUpdate(String dir) {
        Boolean forced = KernelCommandLine.bool("systemd.condition-needs-update");
        if (forced != null) {
            return forced;
        }
        if (Files.exists(Path.of("/etc/initrd-release"))) {
            return false;
        }
        Path path = Path.of(dir);
        try {
            if (Files.getFileStore(path).isReadOnly()) {
                return false;
            }
        } catch (IOException | RuntimeException e) {
            // systemd goes on: rather too many updates than too few
        }
        try {
            FileTime stamp = Files.getLastModifiedTime(path.resolve(".updated"), LinkOption.NOFOLLOW_LINKS);
            FileTime usr = Files.getLastModifiedTime(Path.of("/usr/"), LinkOption.NOFOLLOW_LINKS);
            long usrSeconds = usr.toInstant().getEpochSecond();
            long stampSeconds = stamp.toInstant().getEpochSecond();
            if (usrSeconds != stampSeconds) {
                return usrSeconds > stampSeconds;
            }
            int usrNanos = usr.toInstant().getNano();
            int stampNanos = stamp.toInstant().getNano();
            if (usrNanos == 0 || stampNanos > 0) {
                return usrNanos > stampNanos;
            }
            String nsec = envFile(path.resolve(".updated")).get("TIMESTAMP_NSEC");
            if (nsec == null) {
                return true;
            }
            return usrSeconds * 1_000_000_000L + usrNanos > Long.parseLong(nsec.strip());
        } catch (IOException | RuntimeException e) {
            return true;
        }
    }

    // ---- the machine ---------------------------------------------------------------------------------------------

    /** ConditionArchitecture=: systemd's name of the kernel's machine ({@code native} is the same here). */
    static boolean architectureIs(String wanted) {
        String machine = Virtualization.read("/proc/sys/kernel/arch").strip();
        String ours = architecture(machine.isEmpty() ? System.getProperty("os.arch") : machine);
        if (wanted.equals("native")) {
            return ours != null;
        }
        return ARCHITECTURES.contains(wanted) && wanted.equals(ours);
    }

    /** uname's machine, or Java's os.arch, as systemd names it. */
    static String architecture(String machine) {
        return switch (machine) {
            case "x86_64", "amd64" -> "x86-64";
            case "i386", "i486", "i586", "i686", "x86" -> "x86";
            case "aarch64" -> "arm64";
            case "aarch64_be" -> "arm64-be";
            case "ppc64le" -> "ppc64-le";
            case "ppcle" -> "ppc-le";
            case "mips64el" -> "mips64-le";
            case "mipsel" -> "mips-le";
            case "parisc64", "parisc", "ppc64", "ppc", "s390x", "s390", "riscv64", "riscv32", "loongarch64",
                 "sparc64", "sparc", "alpha", "ia64", "m68k", "mips64", "mips", "sh64", "sh" -> machine;
            default -> machine.startsWith("arm") ? (machine.endsWith("b") ? "arm-be" : "arm") : null;
        };
    }

    static String hostName() {
        return Virtualization.read("/proc/sys/kernel/hostname").strip();
    }

    /** {@code on_ac_power()}: a mains supply online, or none that says it is offline. */
    static boolean onAcPower() {
        boolean online = false;
        boolean offline = false;
        try (DirectoryStream<Path> supplies = Files.newDirectoryStream(Path.of("/sys/class/power_supply"))) {
            for (Path supply : supplies) {
                if (!Virtualization.read(supply.resolve("type").toString()).strip().equals("Mains")) {
                    continue;
                }
                String state = Virtualization.read(supply.resolve("online").toString()).strip();
                online |= state.equals("1");
                offline |= state.equals("0");
            }
        } catch (IOException | RuntimeException e) {
            return true;
        }
        return online || !offline;
    }

    /** {@code physical_memory()}: MemTotal, or less when the cgroup we run under is limited. */
    static long physicalMemory() {
        long total = Long.MAX_VALUE;
        for (String line : Virtualization.read("/proc/meminfo").split("\n")) {
            if (line.startsWith("MemTotal:")) {
                total = Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        for (String limitFile : List.of("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes")) {
            String limit = Virtualization.read(limitFile).strip();
            if (limit.matches("[0-9]+")) {
                try {
                    total = Math.min(total, Long.parseLong(limit));
                } catch (NumberFormatException e) {
                    // larger than a long: no limit
                }
            }
        }
        return total;
    }

    /** {@code cpus_in_affinity_mask()}, from Cpus_allowed_list ({@code 0-3,8}). */
    static long cpusInAffinityMask() {
        long n = 0;
        for (String range : Virtualization.statusField("Cpus_allowed_list").split(",")) {
            if (range.isBlank()) {
                continue;
            }
            String[] ends = range.strip().split("-");
            n += ends.length == 1 ? 1 : Long.parseLong(ends[1]) - Long.parseLong(ends[0]) + 1;
        }
        return n;
    }

    /** The numbers of a /proc/self/status line: {@code Uid} (real, effective, saved, fs), {@code Groups}. */
    static List<Long> ids(String field) {
        List<Long> out = new ArrayList<>();
        for (String id : Virtualization.statusField(field).split("\\s+")) {
            if (!id.isEmpty()) {
                out.add(Long.parseLong(id));
            }
        }
        return out;
    }

    /** {@code parse_uid()}/{@code parse_gid()}: a decimal id, not (uid_t) -1 nor the 16-bit -1; null otherwise. */
    static Long parseId(String s) {
        if (!s.matches("[0-9]{1,10}")) {
            return null;
        }
        long id = Long.parseLong(s);
        return id >= 0xFFFF_FFFFL || id == 0xFFFF ? null : id;
    }

    // ---- cgroups -------------------------------------------------------------------------------------------------

    static boolean unifiedCgroups() {
        return mounts().stream().anyMatch(m -> m.point().equals("/sys/fs/cgroup") && m.type().equals("cgroup2"));
    }

    /**
     * ConditionControlGroupController=: {@code v2} (the unified hierarchy), {@code v1}, or controller names that
     * must all be available; names systemd does not know are skipped, and none known at all holds.
     */
    static boolean controlGroupControllers(String wanted) {
        boolean unified = unifiedCgroups();
        if (wanted.equals("v2")) {
            return unified;
        }
        if (wanted.equals("v1")) {
            return !unified;
        }
        List<String> names = new ArrayList<>();
        for (String name : wanted.split("\\s+")) {
            if (CONTROLLERS.contains(name)) {
                names.add(name);
            }
        }
        if (names.isEmpty()) {
            return true;
        }
        Set<String> available = unified
                ? Set.of(Virtualization.read("/sys/fs/cgroup/cgroup.controllers").strip().split("\\s+")) : Set.of();
        for (String name : names) {
            boolean ok = unified
                    ? available.contains(name) || (name.equals("cpuacct") && available.contains("cpu"))
                            || name.startsWith("bpf-")
                    : !name.equals("io") && !name.startsWith("bpf-") && Files.isDirectory(Path.of("/sys/fs/cgroup", name));
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    // ---- firmware ------------------------------------------------------------------------------------------------

    /** The SecureBoot EFI variable (4 attribute bytes, then the value) is 1. */
    static boolean uefiSecureBoot() {
        try {
            byte[] v = Files.readAllBytes(Path.of(SECURE_BOOT_VARIABLE));
            return v.length >= 5 && v[4] == 1;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** A TPM2 resource manager device, or the firmware's TPM2 ACPI table. */
    static boolean hasTpm2() {
        try (DirectoryStream<Path> devices = Files.newDirectoryStream(Path.of("/sys/class/tpmrm"))) {
            if (devices.iterator().hasNext()) {
                return true;
            }
        } catch (IOException | RuntimeException e) {
            // no class: look at the firmware
        }
        return Files.exists(Path.of("/sys/firmware/acpi/tables/TPM2"));
    }

    // ---- os-release ----------------------------------------------------------------------------------------------

    /** /etc/os-release, else /usr/lib/os-release, as key/value pairs. */
    static Map<String, String> osRelease() throws ConditionTests.Undecided {
        for (String file : List.of("/etc/os-release", "/usr/lib/os-release")) {
            if (Files.exists(Path.of(file))) {
                try {
                    return envFile(Path.of(file));
                } catch (IOException e) {
                    throw new ConditionTests.Undecided("Input/output error");
                }
            }
        }
        throw new ConditionTests.Undecided("No such file or directory");
    }

    /** An environment-like file (os-release(5)): KEY=VALUE lines, values in double or single quotes or bare. */
    static Map<String, String> envFile(Path file) throws IOException {
        Map<String, String> out = new HashMap<>();
        for (String line : Files.readAllLines(file)) {
            String l = line.strip();
            int eq = l.indexOf('=');
            if (l.isEmpty() || l.startsWith("#") || l.startsWith(";") || eq <= 0) {
                continue;
            }
            out.put(l.substring(0, eq).strip(), unquote(l.substring(eq + 1).strip()));
        }
        return out;
    }

    private static String unquote(String v) {
        if (v.length() >= 2 && v.startsWith("'") && v.endsWith("'")) {
            return v.substring(1, v.length() - 1);
        }
        if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
            return v.substring(1, v.length() - 1).replaceAll("\\\\([\"\\\\`$])", "$1");
        }
        return v.replaceAll("\\\\(.)", "$1");
    }
}
