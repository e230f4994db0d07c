package dev.sockact.daemon;

import dev.sockact.posix.Processes;
import dev.sockact.posix.Users;
import dev.sockact.unit.Capabilities;
import dev.sockact.unit.ProcessSettings;
import dev.sockact.unit.ProcessSettings.KeyringMode;
import dev.sockact.unit.ProcessSettings.SecureBit;
import dev.sockact.unit.ResourceLimit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * How a service's {@link ProcessSettings} and User=/Group= are put in place before the program's first
 * instruction. A JVM runs no code between fork and exec, so:
 * <ul>
 *   <li>what Linux keeps per thread goes to the thread that spawns ({@link TaskSettings}), at no extra exec;</li>
 *   <li>what it keeps per process (limits, the OOM score adjustment) is set by util-linux tools that exec the
 *       next word in place, so the pid stays the same: {@code prlimit --nofile=S:H -- choom -n N --};</li>
 *   <li>credentials (user, groups, capabilities, secure bits) by one {@code setpriv}, last, as in exec_child().</li>
 * </ul>
 * Each tool only when the unit uses it: a service that sets nothing gets no prefix and no thread. What sockactd
 * cannot grant (no privilege, a tool missing) is refused here, before anything is spawned, with systemd's message.
 *
 * @param prefix      argv in front of every command: prlimit, choom (empty when not needed)
 * @param credentials argv in front of commands without the {@code +} prefix: setpriv (empty when not needed)
 * @param task        the spawning thread's settings
 */
record ProcessSetup(List<String> prefix, List<String> credentials, TaskSettings task) {
    static final ProcessSetup NONE = new ProcessSetup(List.of(), List.of(), TaskSettings.NONE);

    private static final List<String> BIN = List.of("/usr/bin/", "/bin/", "/usr/sbin/", "/sbin/");

    ProcessSetup {
        prefix = List.copyOf(prefix);
        credentials = List.copyOf(credentials);
    }

    /**
     * @param user        User= resolved, or null
     * @param gid      the group to run as (Group=, else the user's), or null
     * @param switches whether User=/Group= change sockactd's credentials (setpriv switches then)
     * @throws IOException a setting that cannot be honoured, with systemd's message naming it
     */
    static ProcessSetup of(ProcessSettings settings, Users.User user, Integer gid, boolean switches)
            throws IOException {
        if (settings.isNone() && !switches) {
            return NONE;   // every Accept=yes instance comes through here: no file read, no lookup
        }
        // Only the settings read it; User=/Group= alone need no check.
        Capabilities tools = settings.isNone() ? Capabilities.NONE : toolCapabilities();
        List<String> prefix = new ArrayList<>();
        if (!settings.limits().isEmpty()) {
            prefix.add(tool("prlimit", "Limit*="));
            for (Map.Entry<ResourceLimit, ResourceLimit.Value> entry : settings.limits().entrySet()) {
                checkLimit(entry.getKey(), entry.getValue(), tools);
                prefix.add("--" + entry.getKey().name().toLowerCase(Locale.ROOT) + "="
                        + prlimitText(entry.getValue().soft()) + ":" + prlimitText(entry.getValue().hard()));
            }
            prefix.add("--");
        }
        if (settings.oomScoreAdjust() != null) {
            int adjust = settings.oomScoreAdjust();
            if (adjust < ownOomScoreAdjust() && !tools.has(Capabilities.SYS_RESOURCE)) {
                throw new IOException("Failed to adjust OOM setting: Permission denied (OOMScoreAdjust=" + adjust
                        + " is below sockactd's own and needs CAP_SYS_RESOURCE)");
            }
            prefix.addAll(List.of(tool("choom", "OOMScoreAdjust="), "-n", Integer.toString(adjust), "--"));
        }
        List<String> setpriv = setprivOptions(settings, user, gid, switches, tools);
        List<String> credentials = new ArrayList<>();
        if (!setpriv.isEmpty()) {
            credentials.add(tool("setpriv", switches ? "User=/Group="
                    : "SupplementaryGroups=, CapabilityBoundingSet=, AmbientCapabilities= and SecureBits="));
            credentials.addAll(setpriv);
            credentials.add("--");
        }
        KeyringMode keyring = settings.keyringMode();
        if (keyring == KeyringMode.SHARED && switches) {
            throw new IOException("KeyringMode=shared with User= is not supported by sockact: the user's own"
                    + " keyring cannot be linked from sockactd");
        }
        TaskSettings task = new TaskSettings(settings.nice(), settings.ioScheduling(), settings.cpuScheduling(),
                settings.cpuAffinity(), settings.noNewPrivileges(), keyring,
                switches && user != null ? user.uid() : -1, switches ? gid : -1);
        if (prefix.isEmpty() && credentials.isEmpty() && task.isEmpty()) {
            return NONE;
        }
        return new ProcessSetup(prefix, credentials, task);
    }

    /** setpriv's options for the user, the groups, the capabilities and the secure bits; empty when none. */
    private static List<String> setprivOptions(ProcessSettings settings, Users.User user, Integer gid,
                                               boolean switches, Capabilities tools) throws IOException {
        List<String> options = new ArrayList<>();
        if (switches && user != null) {
            options.add("--reuid=" + user.uid());
        }
        if (switches) {
            options.add("--regid=" + gid);
        }
        List<String> supplementary = settings.supplementaryGroups();
        if (!supplementary.isEmpty()) {
            if (!tools.has(Capabilities.SETGID)) {
                throw new IOException("Changing group credentials failed: Operation not permitted"
                        + " (SupplementaryGroups= needs CAP_SETGID)");
            }
            Set<Integer> groups = new LinkedHashSet<>();
            if (user != null) {
                groups.addAll(Users.groupList(user.name(), gid != null ? gid : user.gid()));
            }
            for (String name : supplementary) {
                groups.add(groupId(name));
            }
            options.add("--groups=" + groups.stream().map(String::valueOf).collect(Collectors.joining(",")));
        } else if (switches) {
            options.add(user != null ? "--init-groups" : "--clear-groups");
        }
        if (!settings.capabilityBoundingSet().equals(Capabilities.ALL)) {
            if (!tools.has(Capabilities.SETPCAP)) {
                throw new IOException("Failed to drop capabilities: Operation not permitted"
                        + " (CapabilityBoundingSet= needs CAP_SETPCAP)");
            }
            options.add("--bounding-set=" + capabilityList(settings.capabilityBoundingSet()));
        }
        Capabilities ambient = settings.ambientCapabilities();
        if (!ambient.isEmpty()) {
            if (!tools.and(ambient).equals(ambient)) {
                throw new IOException("Failed to apply ambient capabilities (before UID change): Operation not"
                        + " permitted (AmbientCapabilities=" + ambient.and(tools.inverted())
                        .format() + " not held by sockactd)");
            }
            String caps = ambient.shortNames().stream().map(name -> "+" + name).collect(Collectors.joining(","));
            options.add("--inh-caps=" + caps);
            options.add("--ambient-caps=" + caps);
        }
        // keep-caps is cleared by execve(2) whoever sets it (setpriv refuses it for that reason): nothing to pass.
        List<String> bits = settings.secureBits().stream().filter(bit -> bit != SecureBit.KEEP_CAPS)
                .map(bit -> "+" + bit.setprivName()).toList();
        if (!bits.isEmpty()) {
            if (!tools.has(Capabilities.SETPCAP)) {
                throw new IOException("Failed to set process secure bits: Operation not permitted"
                        + " (SecureBits= needs CAP_SETPCAP)");
            }
            options.add("--securebits=" + String.join(",", bits));
        }
        return options;
    }

    /** {@code -all,+cap,...}: setpriv drops every other capability from the bounding set. */
    private static String capabilityList(Capabilities set) {
        StringBuilder list = new StringBuilder("-all");
        for (String name : set.shortNames()) {
            list.append(",+").append(name);
        }
        return list.toString();
    }

    /**
     * Refuses a limit the kernel would refuse prlimit: a hard limit above sockactd's own needs CAP_SYS_RESOURCE,
     * and RLIMIT_NOFILE cannot go above fs.nr_open at all. (systemd 252 quietly lowers such a limit to the hard
     * limit it has; sockact fails the start instead.)
     */
    private static void checkLimit(ResourceLimit limit, ResourceLimit.Value value, Capabilities tools)
            throws IOException {
        long[] own = Processes.resourceLimit(limit.resource());
        boolean raisesHard = own != null && ResourceLimit.compare(value.hard(), own[1]) > 0;
        if (raisesHard && !tools.has(Capabilities.SYS_RESOURCE)) {
            throw new IOException("Failed to adjust resource limit " + limit.rlimitName() + ": Operation not"
                    + " permitted (" + limit.key() + "=" + value.format() + " is above sockactd's hard limit "
                    + new ResourceLimit.Value(own[1], own[1]).format() + ", raising it needs CAP_SYS_RESOURCE)");
        }
        if (limit == ResourceLimit.NOFILE) {
            long nrOpen = nrOpen();
            if (nrOpen > 0 && ResourceLimit.compare(value.hard(), nrOpen) > 0) {
                throw new IOException("Failed to adjust resource limit RLIMIT_NOFILE: Operation not permitted ("
                        + limit.key() + "=" + value.format() + " is above fs.nr_open, " + nrOpen + ")");
            }
        }
    }

    private static String prlimitText(long value) {
        return value == ResourceLimit.INFINITY ? "unlimited" : Long.toString(value);
    }

    private static int groupId(String name) throws IOException {
        if (name.chars().allMatch(Character::isDigit)) {
            return Integer.parseInt(name);
        }
        return Users.groupId(name).orElseThrow(() -> new IOException("Failed to determine supplementary groups:"
                + " No such process (group '" + name + "' not found)"));
    }

    /** The tool's path, or the start is refused naming the setting that needs it. */
    private static String tool(String name, String setting) throws IOException {
        for (String dir : BIN) {
            if (Files.isExecutable(Path.of(dir + name))) {
                return dir + name;
            }
        }
        throw new IOException(setting + " needs " + name + "(1) (util-linux), which is not installed");
    }

    /**
     * The capabilities the tools will run with: a root sockactd's bounding set (root gets every capability at
     * exec), otherwise its ambient set (all a non-root exec keeps).
     */
    private static Capabilities toolCapabilities() throws IOException {
        String field = Processes.uid() == 0 ? "CapBnd:" : "CapAmb:";
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith(field)) {
                return new Capabilities(Long.parseUnsignedLong(line.substring(field.length()).strip(), 16));
            }
        }
        return Capabilities.NONE;
    }

    private static int ownOomScoreAdjust() throws IOException {
        return Integer.parseInt(firstLine("/proc/self/oom_score_adj"));
    }

    private static long nrOpen() {
        try {
            return Long.parseLong(firstLine("/proc/sys/fs/nr_open"));
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    /** Through a buffered reader: Files.readString read only "1" of /proc/sys/fs/nr_open (a file of size 0). */
    private static String firstLine(String path) throws IOException {
        List<String> lines = Files.readAllLines(Path.of(path));
        return lines.isEmpty() ? "" : lines.getFirst().strip();
    }
}
