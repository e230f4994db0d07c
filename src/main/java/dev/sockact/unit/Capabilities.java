package dev.sockact.unit;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A set of Linux capabilities as a bit mask (bit N is capability N), with the kernel's names (cap-list.c):
 * {@code CAP_NET_BIND_SERVICE} is bit 10.
 */
public record Capabilities(long mask) {
    private static final List<String> NAMES = List.of("cap_chown", "cap_dac_override", "cap_dac_read_search",
            "cap_fowner", "cap_fsetid", "cap_kill", "cap_setgid", "cap_setuid", "cap_setpcap", "cap_linux_immutable",
            "cap_net_bind_service", "cap_net_broadcast", "cap_net_admin", "cap_net_raw", "cap_ipc_lock",
            "cap_ipc_owner", "cap_sys_module", "cap_sys_rawio", "cap_sys_chroot", "cap_sys_ptrace", "cap_sys_pacct",
            "cap_sys_admin", "cap_sys_boot", "cap_sys_nice", "cap_sys_resource", "cap_sys_time",
            "cap_sys_tty_config", "cap_mknod", "cap_lease", "cap_audit_write", "cap_audit_control", "cap_setfcap",
            "cap_mac_override", "cap_mac_admin", "cap_syslog", "cap_wake_alarm", "cap_block_suspend",
            "cap_audit_read", "cap_perfmon", "cap_bpf", "cap_checkpoint_restore");

    public static final int SETGID = 6;
    public static final int SETPCAP = 8;
    public static final int SYS_NICE = 23;
    public static final int SYS_RESOURCE = 24;

    /** Every capability this table knows (systemd's CAP_MASK_ALL, for the bounding set's default). */
    public static final Capabilities ALL = new Capabilities(-1L >>> (64 - NAMES.size()));
    public static final Capabilities NONE = new Capabilities(0);

    /** The number of a capability name, any case, with or without {@code CAP_}; -1 when unknown. */
    public static int number(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return NAMES.indexOf(lower.startsWith("cap_") ? lower : "cap_" + lower);
    }

    /** Whether capability {@code number} is in the set. */
    public boolean has(int number) {
        return (mask & (1L << number)) != 0;
    }

    public boolean isEmpty() {
        return (mask & ALL.mask) == 0;
    }

    public Capabilities and(Capabilities other) {
        return new Capabilities(mask & other.mask);
    }

    public Capabilities or(Capabilities other) {
        return new Capabilities(mask | other.mask);
    }

    /** The complement within {@link #ALL}. */
    public Capabilities inverted() {
        return new Capabilities(~mask & ALL.mask);
    }

    /** The names without {@code cap_}, lower case, as setpriv(1) takes them. */
    public List<String> shortNames() {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < NAMES.size(); i++) {
            if (has(i)) {
                names.add(NAMES.get(i).substring(4));
            }
        }
        return names;
    }

    /** systemd's spelling, {@code CAP_NET_BIND_SERVICE CAP_KILL}, for messages. */
    public String format() {
        List<String> names = new ArrayList<>();
        for (String name : shortNames()) {
            names.add("CAP_" + name.toUpperCase(Locale.ROOT));
        }
        return String.join(" ", names);
    }
}
