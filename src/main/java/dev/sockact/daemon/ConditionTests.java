package dev.sockact.daemon;

import dev.sockact.posix.Errno;
import dev.sockact.posix.ErrnoException;
import dev.sockact.posix.Fd;
import dev.sockact.posix.Sockets;
import dev.sockact.posix.Users;
import dev.sockact.text.Fnmatch;
import dev.sockact.text.VersionComparison;
import dev.sockact.unit.Condition;
import dev.sockact.unit.Condition.Argument;
import dev.sockact.unit.parse.Values;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Tests one condition the way systemd 252's condition.c does, against this machine as sockactd sees it: its
 * files, its /proc, its own credentials and the manager's environment. The result is systemd's ConditionResult;
 * an error (a parameter the test cannot use, a file it cannot read) counts as failed and carries the reason.
 */
final class ConditionTests {
    /** systemd's SYSTEM_UID_MAX/SYSTEM_GID_MAX on Debian. */
    private static final int SYSTEM_ID_MAX = 999;
    private static final int NOBODY = 65534;
    private static final int AF_NETLINK = 16;
    private static final int SOCK_RAW = 3;
    private static final int NETLINK_AUDIT = 9;
    private static final Set<String> BACKUP_SUFFIXES = Set.of("rpmnew", "rpmsave", "rpmorig", "dpkg-old",
            "dpkg-new", "dpkg-tmp", "dpkg-dist", "dpkg-bak", "dpkg-backup", "dpkg-remove", "ucf-new", "ucf-old",
            "ucf-dist", "swp", "bak", "old", "new");

    /** systemd's condition results, with their words. */
    enum Outcome {
        SUCCEEDED("succeeded"), FAILED("failed"), ERROR("error");

        final String text;

        Outcome(String text) {
            this.text = text;
        }
    }

    /** One condition and how its test came out; {@code error} is the reason for {@link Outcome#ERROR}. */
    record Tested(Condition condition, Outcome outcome, String error) {
        boolean passed() {
            return outcome == Outcome.SUCCEEDED;
        }
    }

    /** A test that could not decide: systemd's negative return, with the strerror text. */
    static final class Undecided extends Exception {
        private static final long serialVersionUID = 1L;

        Undecided(String reason) {
            super(reason, null, false, false);
        }
    }

    private ConditionTests() {
    }

    static Tested test(Condition c, Map<String, String> environment) {
        try {
            boolean holds = holds(c, environment);
            return new Tested(c, holds != c.negate() ? Outcome.SUCCEEDED : Outcome.FAILED, null);
        } catch (Undecided e) {
            return new Tested(c, Outcome.ERROR, e.getMessage());
        }
    }

    /** The test before {@code !} applies. */
    static boolean holds(Condition c, Map<String, String> environment) throws Undecided {
        Argument a = c.argument();
        if (a instanceof Condition.Unusable unusable) {
            throw new Undecided(unusable.reason());
        }
        return switch (c.kind()) {
            case PATH_EXISTS -> Files.exists(path(a));
            case PATH_EXISTS_GLOB -> Globs.exists(((Condition.Glob) a).pattern());
            case PATH_IS_DIRECTORY -> Files.isDirectory(path(a));
            case PATH_IS_SYMBOLIC_LINK -> Files.isSymbolicLink(path(a));
            case PATH_IS_MOUNT_POINT -> MachineFacts.isMountPoint(path(a));
            case PATH_IS_READ_WRITE -> isReadWrite(path(a));
            case DIRECTORY_NOT_EMPTY -> directoryNotEmpty(path(a));
            case FILE_NOT_EMPTY -> regularFile(path(a)).map(attrs -> attrs.size() > 0).orElse(false);
            case FILE_IS_EXECUTABLE -> regularFile(path(a)).map(ConditionTests::executable).orElse(false);
            case NEEDS_UPDATE -> MachineFacts.needsUpdate(((Condition.FilePath) a).path());
            case FIRST_BOOT -> firstBoot(((Condition.Flag) a).value());
            case ARCHITECTURE -> MachineFacts.architectureIs(word(a));
            case VIRTUALIZATION -> virtualization(word(a));
            case HOST -> host(a);
            case KERNEL_COMMAND_LINE -> kernelCommandLine(word(a));
            case KERNEL_VERSION -> kernelVersion((Condition.Versions) a);
            case SECURITY -> security(word(a));
            case CAPABILITY -> capability(((Condition.Capability) a).number());
            case AC_POWER -> MachineFacts.onAcPower() == ((Condition.Flag) a).value();
            case MEMORY -> compare(MachineFacts.physicalMemory(), (Condition.Comparison) a);
            case CPUS -> compare(MachineFacts.cpusInAffinityMask(), (Condition.Comparison) a);
            case ENVIRONMENT -> environment(word(a), environment);
            case USER -> user(word(a));
            case GROUP -> group(word(a));
            case CONTROL_GROUP_CONTROLLER -> MachineFacts.controlGroupControllers(word(a));
            case OS_RELEASE -> osRelease((Condition.OsReleaseTerms) a);
        };
    }

    private static Path path(Argument a) {
        return Path.of(((Condition.FilePath) a).path());
    }

    private static String word(Argument a) {
        return ((Condition.Word) a).value();
    }

    // ---- files ---------------------------------------------------------------------------------------------------

    /** {@code path_is_read_only_fs()}: a missing path is not read-write; a path we cannot check is. */
    private static boolean isReadWrite(Path path) {
        if (!Files.exists(path)) {
            return false;
        }
        try {
            return !Files.getFileStore(path).isReadOnly();
        } catch (IOException | RuntimeException e) {
            return true;
        }
    }

    /** {@code dir_is_empty(path, ignore_hidden_or_backup=true)}: an unreadable directory counts as not empty. */
    private static boolean directoryNotEmpty(Path path) {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(path)) {
            for (Path entry : entries) {
                if (!hiddenOrBackup(entry.getFileName().toString())) {
                    return true;
                }
            }
            return false;
        } catch (NoSuchFileException | NotDirectoryException e) {
            return false;
        } catch (IOException | RuntimeException e) {
            return true;
        }
    }

    /** {@code hidden_or_backup_file()}. */
    static boolean hiddenOrBackup(String name) {
        if (name.startsWith(".") || name.endsWith("~") || Set.of("lost+found", "aquota.user", "aquota.group")
                .contains(name)) {
            return true;
        }
        int dot = name.lastIndexOf('.');
        return dot >= 0 && BACKUP_SUFFIXES.contains(name.substring(dot + 1));
    }

    private static Optional<PosixFileAttributes> regularFile(Path path) {
        try {
            PosixFileAttributes attrs = Files.readAttributes(path, PosixFileAttributes.class);
            return attrs.isRegularFile() ? Optional.of(attrs) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static boolean executable(PosixFileAttributes attrs) {
        Set<PosixFilePermission> p = attrs.permissions();
        return p.contains(PosixFilePermission.OWNER_EXECUTE) || p.contains(PosixFilePermission.GROUP_EXECUTE)
                || p.contains(PosixFilePermission.OTHERS_EXECUTE);
    }

    // ---- the system ----------------------------------------------------------------------------------------------

    private static boolean firstBoot(boolean wanted) throws Undecided {
        Boolean forced = KernelCommandLine.bool("systemd.condition-first-boot");
        if (forced != null) {
            return forced == wanted;
        }
        return Files.exists(Path.of("/run/systemd/first-boot"), LinkOption.NOFOLLOW_LINKS) == wanted;
    }

    private static boolean virtualization(String wanted) {
        if (wanted.equals("private-users")) {
            return Virtualization.inUserNamespace();
        }
        String detected = Virtualization.detect();
        boolean virtualized = !detected.equals(Virtualization.NONE);
        Boolean yes = Values.parseBoolean(wanted);
        if (yes != null) {
            return yes == virtualized;
        }
        return switch (wanted) {
            case "vm" -> Virtualization.VMS.contains(detected);
            case "container" -> Virtualization.CONTAINERS.contains(detected);
            default -> virtualized && wanted.equals(detected);
        };
    }

    private static boolean host(Argument a) throws Undecided {
        if (a instanceof Condition.MachineId id) {
            String machineId = Virtualization.read("/etc/machine-id").strip();
            if (machineId.isEmpty()) {
                throw new Undecided("No such file or directory");
            }
            return machineId.equalsIgnoreCase(id.hex());
        }
        return Fnmatch.matches(((Condition.Glob) a).pattern(), MachineFacts.hostName(), true);
    }

    private static boolean kernelCommandLine(String wanted) throws Undecided {
        boolean equal = wanted.contains("=");
        for (String word : KernelCommandLine.words()) {
            if (equal ? word.equals(wanted) : word.equals(wanted) || word.startsWith(wanted + "=")) {
                return true;
            }
        }
        return false;
    }

    private static boolean kernelVersion(Condition.Versions versions) {
        String release = Virtualization.read("/proc/sys/kernel/osrelease").strip();
        for (Condition.VersionTerm term : versions.terms()) {
            boolean ok = term.order() == null ? Fnmatch.matches(term.value(), release, false)
                    : term.order().holds(VersionComparison.compare(release, term.value()));
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static boolean security(String module) {
        return switch (module) {
            case "selinux" -> Files.exists(Path.of("/sys/fs/selinux/enforce"));
            case "smack" -> Files.exists(Path.of("/sys/fs/smackfs"));
            case "apparmor" -> Virtualization.read("/sys/module/apparmor/parameters/enabled").startsWith("Y");
            case "audit" -> auditAvailable();
            case "ima" -> Files.exists(Path.of("/sys/kernel/security/ima"));
            case "tomoyo" -> Files.exists(Path.of("/sys/kernel/security/tomoyo/version"));
            case "uefi-secureboot" -> MachineFacts.uefiSecureBoot();
            case "tpm2" -> MachineFacts.hasTpm2();
            default -> false;
        };
    }

    /** {@code use_audit()}: an audit netlink socket can be opened, or fails for a reason other than no support. */
    private static boolean auditAvailable() {
        try (Fd fd = Sockets.socket(AF_NETLINK, SOCK_RAW, NETLINK_AUDIT)) {
            return fd != null;
        } catch (ErrnoException e) {
            return !Set.of(Errno.EAFNOSUPPORT, Errno.EPROTONOSUPPORT, Errno.EPERM).contains(e.errnoConstant());
        }
    }

    private static boolean capability(int number) throws Undecided {
        String bounding = Virtualization.statusField("CapBnd");
        if (bounding.isEmpty()) {
            return true;   // systemd assumes a valid capability is there when it cannot tell
        }
        try {
            return (Long.parseUnsignedLong(bounding, 16) & (1L << number)) != 0;
        } catch (NumberFormatException e) {
            throw new Undecided("Input/output error");
        }
    }

    private static boolean compare(long actual, Condition.Comparison c) {
        return c.order().holds(Long.compareUnsigned(actual, c.value()));
    }

    private static boolean environment(String wanted, Map<String, String> environment) {
        int eq = wanted.indexOf('=');
        if (eq >= 0) {
            return wanted.substring(eq + 1).equals(environment.get(wanted.substring(0, eq)));
        }
        return environment.containsKey(wanted);
    }

    // ---- credentials: sockactd's own -----------------------------------------------------------------------------

    private static boolean user(String wanted) {
        List<Long> ids = MachineFacts.ids("Uid");   // real, effective, saved, fs
        long uid = ids.isEmpty() ? -1 : ids.get(0);
        long euid = ids.size() < 2 ? -1 : ids.get(1);
        switch (wanted) {
            case "root" -> {
                return uid == 0 || euid == 0;
            }
            case "nobody" -> {
                return uid == NOBODY || euid == NOBODY;
            }
            case "@system" -> {
                return (uid >= 0 && uid <= SYSTEM_ID_MAX) || (euid >= 0 && euid <= SYSTEM_ID_MAX);
            }
            default -> { }
        }
        Long id = MachineFacts.parseId(wanted);
        if (id == null) {
            try {
                id = Users.user(wanted).map(u -> Integer.toUnsignedLong(u.uid())).orElse(null);
            } catch (ErrnoException e) {
                return false;
            }
        }
        return id != null && (id == uid || id == euid);
    }

    private static boolean group(String wanted) {
        Long id = MachineFacts.parseId(wanted);
        if (id == null) {
            try {
                id = Users.groupId(wanted).map(Integer::toUnsignedLong).orElse(null);
            } catch (ErrnoException e) {
                return false;
            }
        }
        if (id == null) {
            return false;
        }
        List<Long> gids = MachineFacts.ids("Gid");
        return (gids.size() >= 2 && (gids.get(0).equals(id) || gids.get(1).equals(id)))
                || MachineFacts.ids("Groups").contains(id);
    }

    // ---- os-release ----------------------------------------------------------------------------------------------

    private static boolean osRelease(Condition.OsReleaseTerms terms) throws Undecided {
        Map<String, String> release = MachineFacts.osRelease();
        for (Condition.OsReleaseTerm term : terms.terms()) {
            String actual = release.get(term.key());
            boolean ok = switch (term.order()) {
                case EQUAL -> Objects.equals(actual, term.value());
                case UNEQUAL -> !Objects.equals(actual, term.value());
                default -> term.order().holds(VersionComparison.compare(actual, term.value()));
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
