package dev.sockact.daemon;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * systemd's {@code detect_virtualization()} as far as files show it: a container first (openvz, wsl, proot, the
 * {@code container=} variable of pid 1 or /run/systemd/container, podman's and docker's marker files), then a
 * virtual machine (the DMI vendor strings, xen, /sys/hypervisor, user-mode Linux, a kvm clock source, and the
 * cpuinfo "hypervisor" flag as vm-other). systemd also asks CPUID, which Java cannot; the kvm-clock and hypervisor
 * flag checks stand in for it. Names are systemd's ({@code systemd-detect-virt --list}).
 */
final class Virtualization {
    static final String NONE = "none";
    static final Set<String> VMS = Set.of("kvm", "amazon", "qemu", "bochs", "xen", "uml", "vmware", "oracle",
            "microsoft", "zvm", "parallels", "bhyve", "qnx", "acrn", "powervm", "apple", "sre", "google", "vm-other");
    static final Set<String> CONTAINERS = Set.of("systemd-nspawn", "lxc-libvirt", "lxc", "openvz", "docker", "podman",
            "rkt", "wsl", "proot", "pouch", "container-other");
    /** virt.c's DMI vendor table, in its order: the first prefix that matches names the hypervisor. */
    private static final List<Map.Entry<String, String>> DMI_VENDORS = List.of(
            Map.entry("KVM", "kvm"), Map.entry("OpenStack", "kvm"), Map.entry("KubeVirt", "kvm"),
            Map.entry("Amazon EC2", "amazon"), Map.entry("QEMU", "qemu"), Map.entry("VMware", "vmware"),
            Map.entry("VMW", "vmware"), Map.entry("innotek GmbH", "oracle"), Map.entry("VirtualBox", "oracle"),
            Map.entry("Xen", "xen"), Map.entry("Bochs", "bochs"), Map.entry("Parallels", "parallels"),
            Map.entry("BHYVE", "bhyve"), Map.entry("Hyper-V", "microsoft"), Map.entry("Apple Virtualization", "apple"),
            Map.entry("Google Compute Engine", "google"));
    private static final List<String> DMI_FILES = List.of("product_name", "sys_vendor", "board_vendor",
            "bios_vendor", "product_version");

    private Virtualization() {
    }

    /** The container or virtual machine sockactd runs in, or {@link #NONE}. */
    static String detect() {
        String container = container();
        return container.equals(NONE) ? vm() : container;
    }

    static String container() {
        if (Files.exists(Path.of("/proc/vz")) && !Files.exists(Path.of("/proc/bc"))) {
            return "openvz";
        }
        String osrelease = read("/proc/sys/kernel/osrelease");
        if (osrelease.contains("Microsoft") || osrelease.contains("WSL")) {
            return "wsl";
        }
        String tracer = statusField("TracerPid");
        if (!tracer.isEmpty() && !tracer.equals("0") && read("/proc/" + tracer + "/comm").strip().equals("proot")) {
            return "proot";
        }
        String name = read("/run/systemd/container").strip();
        if (name.isEmpty()) {
            name = pid1Container();
        }
        if (name.isEmpty()) {
            if (Files.exists(Path.of("/run/.containerenv"))) {
                return "podman";
            }
            if (Files.exists(Path.of("/.dockerenv"))) {
                return "docker";
            }
            return NONE;
        }
        return CONTAINERS.contains(name) ? name : "container-other";
    }

    private static String pid1Container() {
        for (String entry : read("/proc/1/environ").split("\0")) {
            if (entry.startsWith("container=")) {
                return entry.substring("container=".length());
            }
        }
        return "";
    }

    static String vm() {
        for (String file : DMI_FILES) {
            String value = read("/sys/class/dmi/id/" + file);
            for (Map.Entry<String, String> vendor : DMI_VENDORS) {
                if (value.startsWith(vendor.getKey())) {
                    return vendor.getValue();
                }
            }
        }
        if (Files.exists(Path.of("/proc/xen"))) {
            return "xen";
        }
        String hypervisor = read("/sys/hypervisor/type").strip();
        if (hypervisor.equals("xen")) {
            return "xen";
        }
        String cpuinfo = read("/proc/cpuinfo");
        if (cpuinfo.contains("User Mode Linux")) {
            return "uml";
        }
        if (read("/proc/sysinfo").contains("z/VM")) {
            return "zvm";
        }
        if (read("/sys/devices/system/clocksource/clocksource0/available_clocksource").contains("kvm-clock")) {
            return "kvm";
        }
        for (String line : cpuinfo.split("\n")) {
            if (line.startsWith("flags") && List.of(line.split("\\s+")).contains("hypervisor")) {
                return "vm-other";
            }
        }
        return NONE;
    }

    /** {@code running_in_userns()}: the uid map is not the identity of the whole range, or setgroups is denied. */
    static boolean inUserNamespace() {
        String identity = "0 0 4294967295";
        if (!normalized(read("/proc/self/uid_map")).equals(identity)
                || !normalized(read("/proc/self/gid_map")).equals(identity)) {
            return true;
        }
        return read("/proc/self/setgroups").strip().equals("deny");
    }

    private static String normalized(String map) {
        return String.join(" ", map.strip().split("\\s+"));
    }

    static String statusField(String field) {
        for (String line : read("/proc/self/status").split("\n")) {
            if (line.startsWith(field + ":")) {
                return line.substring(field.length() + 1).strip();
            }
        }
        return "";
    }

    /** The file's text, or "" when it cannot be read (a probe that finds nothing). */
    static String read(String path) {
        try {
            return new String(Files.readAllBytes(Path.of(path)), StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }
}
