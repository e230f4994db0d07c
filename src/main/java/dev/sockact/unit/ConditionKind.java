package dev.sockact.unit;

/**
 * The Condition*=/Assert*= kinds sockact tests: those systemd 252 evaluates from the machine's own state (files,
 * /proc, the manager's environment). {@link #pathValued()} kinds take an absolute path, the others a string.
 */
public enum ConditionKind {
    PATH_EXISTS("PathExists", true),
    PATH_EXISTS_GLOB("PathExistsGlob", true),
    PATH_IS_DIRECTORY("PathIsDirectory", true),
    PATH_IS_SYMBOLIC_LINK("PathIsSymbolicLink", true),
    PATH_IS_MOUNT_POINT("PathIsMountPoint", true),
    PATH_IS_READ_WRITE("PathIsReadWrite", true),
    DIRECTORY_NOT_EMPTY("DirectoryNotEmpty", true),
    FILE_NOT_EMPTY("FileNotEmpty", true),
    FILE_IS_EXECUTABLE("FileIsExecutable", true),
    NEEDS_UPDATE("NeedsUpdate", true),
    FIRST_BOOT("FirstBoot", false),
    ARCHITECTURE("Architecture", false),
    VIRTUALIZATION("Virtualization", false),
    HOST("Host", false),
    KERNEL_COMMAND_LINE("KernelCommandLine", false),
    KERNEL_VERSION("KernelVersion", false),
    SECURITY("Security", false),
    CAPABILITY("Capability", false),
    AC_POWER("ACPower", false),
    MEMORY("Memory", false),
    CPUS("CPUs", false),
    ENVIRONMENT("Environment", false),
    USER("User", false),
    GROUP("Group", false),
    CONTROL_GROUP_CONTROLLER("ControlGroupController", false),
    OS_RELEASE("OSRelease", false);

    private final String word;
    private final boolean pathValued;

    ConditionKind(String word, boolean pathValued) {
        this.word = word;
        this.pathValued = pathValued;
    }

    /** The part after Condition/Assert: {@code PathExists}. */
    public String word() {
        return word;
    }

    public boolean pathValued() {
        return pathValued;
    }

    public String key(boolean assertion) {
        return (assertion ? "Assert" : "Condition") + word;
    }
}
