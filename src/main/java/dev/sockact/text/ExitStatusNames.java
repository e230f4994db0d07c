package dev.sockact.text;

/**
 * Exit status names as systemd 252 has them (exit_status_mappings[] in src/shared/exit-status.c): libc's 0 and 1,
 * the LSB codes for init scripts (2-7), the BSD sysexits codes (64-78) and systemd's own (200-245, 255). The one
 * table that the unit parser (SuccessExitStatus=, RestartPreventExitStatus=) and the daemon (how an exit is
 * logged: "status=255/EXCEPTION") share.
 */
public final class ExitStatusNames {
    private static final String[] NAMES = new String[256];

    static {
        put(0, "SUCCESS");
        put(1, "FAILURE");
        // LSB
        put(2, "INVALIDARGUMENT");
        put(3, "NOTIMPLEMENTED");
        put(4, "NOPERMISSION");
        put(5, "NOTINSTALLED");
        put(6, "NOTCONFIGURED");
        put(7, "NOTRUNNING");
        // BSD sysexits.h
        put(64, "USAGE");
        put(65, "DATAERR");
        put(66, "NOINPUT");
        put(67, "NOUSER");
        put(68, "NOHOST");
        put(69, "UNAVAILABLE");
        put(70, "SOFTWARE");
        put(71, "OSERR");
        put(72, "OSFILE");
        put(73, "CANTCREAT");
        put(74, "IOERR");
        put(75, "TEMPFAIL");
        put(76, "PROTOCOL");
        put(77, "NOPERM");
        put(78, "CONFIG");
        // systemd's own: what a service's child exits with when a step before exec fails
        put(200, "CHDIR");
        put(201, "NICE");
        put(202, "FDS");
        put(203, "EXEC");
        put(204, "MEMORY");
        put(205, "LIMITS");
        put(206, "OOM_ADJUST");
        put(207, "SIGNAL_MASK");
        put(208, "STDIN");
        put(209, "STDOUT");
        put(210, "CHROOT");
        put(211, "IOPRIO");
        put(212, "TIMERSLACK");
        put(213, "SECUREBITS");
        put(214, "SETSCHEDULER");
        put(215, "CPUAFFINITY");
        put(216, "GROUP");
        put(217, "USER");
        put(218, "CAPABILITIES");
        put(219, "CGROUP");
        put(220, "SETSID");
        put(221, "CONFIRM");
        put(222, "STDERR");
        put(224, "PAM");
        put(225, "NETWORK");
        put(226, "NAMESPACE");
        put(227, "NO_NEW_PRIVILEGES");
        put(228, "SECCOMP");
        put(229, "SELINUX_CONTEXT");
        put(230, "PERSONALITY");
        put(231, "APPARMOR");
        put(232, "ADDRESS_FAMILIES");
        put(233, "RUNTIME_DIRECTORY");
        put(235, "CHOWN");
        put(236, "SMACK_PROCESS_LABEL");
        put(237, "KEYRING");
        put(238, "STATE_DIRECTORY");
        put(239, "CACHE_DIRECTORY");
        put(240, "LOGS_DIRECTORY");
        put(241, "CONFIGURATION_DIRECTORY");
        put(242, "NUMA_POLICY");
        put(243, "CREDENTIALS");
        put(245, "BPF");
        // a propagated signal and other ends one code cannot say (bash uses it too)
        put(255, "EXCEPTION");
    }

    private ExitStatusNames() {
        throw new AssertionError();
    }

    private static void put(int code, String name) {
        NAMES[code] = name;
    }

    /** "EXCEPTION" for 255; null for a code systemd has no name for (42) or one outside 0-255. */
    public static String name(int code) {
        return code >= 0 && code < NAMES.length ? NAMES[code] : null;
    }

    /** The code a name stands for ("TEMPFAIL" is 75), as exit_status_from_string() reads names; -1 for none. */
    public static int code(String name) {
        for (int i = 0; i < NAMES.length; i++) {
            if (name.equals(NAMES[i])) {
                return i;
            }
        }
        return -1;
    }
}
