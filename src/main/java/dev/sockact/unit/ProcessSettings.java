package dev.sockact.unit;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the process a service's commands run in is made with, beyond User=/Group= (systemd.exec(5), "Process
 * properties", "Scheduling", "Capabilities", "Security"): resource limits, scheduling, CPU affinity, supplementary
 * groups, capabilities, secure bits, no-new-privileges and the session keyring. An unset setting is null (or
 * empty) and leaves the process as sockactd's own.
 *
 * @param limits                {@code Limit*=}, only those given
 * @param nice                  Nice=, -20..19, or null
 * @param oomScoreAdjust        OOMScoreAdjust=, -1000..1000, or null
 * @param ioScheduling          IOSchedulingClass=/IOSchedulingPriority=, or null
 * @param cpuScheduling         CPUSchedulingPolicy=/CPUSchedulingPriority= with CPUSchedulingResetOnFork=, or null
 * @param cpuAffinity           CPUAffinity=, the CPU numbers in order; empty when not set
 * @param supplementaryGroups   SupplementaryGroups=, names or numeric ids
 * @param capabilityBoundingSet CapabilityBoundingSet=, default {@link Capabilities#ALL}
 * @param keyringMode           KeyringMode=, or null
 */
public record ProcessSettings(Map<ResourceLimit, ResourceLimit.Value> limits, Integer nice, Integer oomScoreAdjust,
                              IoScheduling ioScheduling, CpuScheduling cpuScheduling, List<Integer> cpuAffinity,
                              List<String> supplementaryGroups, boolean noNewPrivileges,
                              Capabilities ambientCapabilities, Capabilities capabilityBoundingSet,
                              Set<SecureBit> secureBits, KeyringMode keyringMode) {

    /** A service that sets none of these. */
    public static final ProcessSettings NONE = new Builder().build();

    /**
     * Whether the unit sets none of these. Asked on every start: a built one is {@link #NONE} itself, and the
     * record's equals (a chain of method handles until the JIT has compiled it) is left for the rest.
     */
    public boolean isNone() {
        return this == NONE || equals(NONE);
    }

    public ProcessSettings {
        limits = limits.isEmpty() ? Map.of() : Map.copyOf(new EnumMap<>(limits));
        cpuAffinity = List.copyOf(cpuAffinity);
        supplementaryGroups = List.copyOf(supplementaryGroups);
        secureBits = secureBits.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(secureBits));
    }

    /** The I/O scheduling classes of ioprio_set(2), with systemd's words. */
    public enum IoClass {
        NONE("none", 0), REALTIME("realtime", 1), BEST_EFFORT("best-effort", 2), IDLE("idle", 3);

        private final String text;
        private final int number;

        IoClass(String text, int number) {
            this.text = text;
            this.number = number;
        }

        public String text() {
            return text;
        }

        public int number() {
            return number;
        }
    }

    /** IOSchedulingClass= and IOSchedulingPriority= (0..7, 4 when only the class is given). */
    public record IoScheduling(IoClass ioClass, int priority) {
        public static final IoScheduling DEFAULT = new IoScheduling(IoClass.BEST_EFFORT, 4);

        /** The value ioprio_set(2) takes: class in the top bits, priority below. */
        public int ioprio() {
            return ioClass.number() << 13 | priority;
        }
    }

    /** The policies of sched_setscheduler(2), with systemd's words and priority ranges. */
    public enum SchedulingPolicy {
        OTHER("other", 0, 0, 0), FIFO("fifo", 1, 1, 99), RR("rr", 2, 1, 99), BATCH("batch", 3, 0, 0),
        IDLE("idle", 5, 0, 0);

        private final String text;
        private final int number;
        private final int minPriority;
        private final int maxPriority;

        SchedulingPolicy(String text, int number, int minPriority, int maxPriority) {
            this.text = text;
            this.number = number;
            this.minPriority = minPriority;
            this.maxPriority = maxPriority;
        }

        public String text() {
            return text;
        }

        public int number() {
            return number;
        }

        public int minPriority() {
            return minPriority;
        }

        public int maxPriority() {
            return maxPriority;
        }
    }

    /** CPUSchedulingPolicy=, CPUSchedulingPriority=, CPUSchedulingResetOnFork=. */
    public record CpuScheduling(SchedulingPolicy policy, int priority, boolean resetOnFork) {
    }

    /** SecureBits= words, with the bit each is (linux/securebits.h) and setpriv(1)'s name. */
    public enum SecureBit {
        NOROOT("noroot", 0), NOROOT_LOCKED("noroot-locked", 1), NO_SETUID_FIXUP("no-setuid-fixup", 2),
        NO_SETUID_FIXUP_LOCKED("no-setuid-fixup-locked", 3), KEEP_CAPS("keep-caps", 4),
        KEEP_CAPS_LOCKED("keep-caps-locked", 5);

        private final String text;
        private final int bit;

        SecureBit(String text, int bit) {
            this.text = text;
            this.bit = bit;
        }

        public String text() {
            return text;
        }

        public int bit() {
            return bit;
        }

        /** setpriv's spelling: underscores. */
        public String setprivName() {
            return text.replace('-', '_');
        }
    }

    /** KeyringMode=. */
    public enum KeyringMode {
        INHERIT("inherit"), PRIVATE("private"), SHARED("shared");

        private final String text;

        KeyringMode(String text) {
            this.text = text;
        }

        public String text() {
            return text;
        }
    }

    /** Collects the settings while a unit's files are parsed. */
    public static final class Builder {
        private final Map<ResourceLimit, ResourceLimit.Value> limits = new EnumMap<>(ResourceLimit.class);
        private Integer nice;
        private Integer oomScoreAdjust;
        private IoClass ioClass;
        private Integer ioPriority;
        private SchedulingPolicy cpuPolicy;
        private Integer cpuPriority;
        private boolean cpuResetOnFork;
        private final TreeSet<Integer> cpuAffinity = new TreeSet<>();
        private final List<String> supplementaryGroups = new ArrayList<>();
        private boolean noNewPrivileges;
        private Capabilities ambientCapabilities = Capabilities.NONE;
        private Capabilities capabilityBoundingSet = Capabilities.ALL;
        private final Set<SecureBit> secureBits = EnumSet.noneOf(SecureBit.class);
        private KeyringMode keyringMode;

        public void limit(ResourceLimit limit, ResourceLimit.Value value) { limits.put(limit, value); }
        public void nice(Integer value) { nice = value; }
        public void oomScoreAdjust(Integer value) { oomScoreAdjust = value; }
        public void ioClass(IoClass value) { ioClass = value; }
        public void ioPriority(Integer value) { ioPriority = value; }
        public void cpuPolicy(SchedulingPolicy value) { cpuPolicy = value; }
        /** The policy given, else {@code other}. */
        private SchedulingPolicy effectivePolicy() { return cpuPolicy != null ? cpuPolicy : SchedulingPolicy.OTHER; }
        public void cpuPriority(Integer value) { cpuPriority = value; }
        public void cpuResetOnFork(boolean value) { cpuResetOnFork = value; }
        public Set<Integer> cpuAffinity() { return cpuAffinity; }
        public List<String> supplementaryGroups() { return supplementaryGroups; }
        public void noNewPrivileges(boolean value) { noNewPrivileges = value; }
        public Capabilities ambientCapabilities() { return ambientCapabilities; }
        public void ambientCapabilities(Capabilities value) { ambientCapabilities = value; }
        public Capabilities capabilityBoundingSet() { return capabilityBoundingSet; }
        public void capabilityBoundingSet(Capabilities value) { capabilityBoundingSet = value; }
        public Set<SecureBit> secureBits() { return secureBits; }
        public void keyringMode(KeyringMode value) { keyringMode = value; }

        public ProcessSettings build() {
            IoScheduling io = ioClass == null && ioPriority == null ? null
                    : new IoScheduling(ioClass != null ? ioClass : IoScheduling.DEFAULT.ioClass(),
                    ioPriority != null ? ioPriority : IoScheduling.DEFAULT.priority());
            CpuScheduling cpu = cpuPolicy == null && cpuPriority == null ? null
                    : new CpuScheduling(effectivePolicy(),
                    clamp(cpuPriority != null ? cpuPriority : 0, effectivePolicy()), cpuResetOnFork);
            ProcessSettings built = new ProcessSettings(limits, nice, oomScoreAdjust, io, cpu,
                    new ArrayList<>(cpuAffinity), supplementaryGroups, noNewPrivileges, ambientCapabilities,
                    capabilityBoundingSet, secureBits, keyringMode);
            // Most units set none of these: they all share NONE, so that isNone() is one comparison.
            return NONE != null && built.equals(NONE) ? NONE : built;
        }

        /** A change of policy moves the priority into the new policy's range, as systemd does. */
        private static int clamp(int priority, SchedulingPolicy policy) {
            return Math.max(policy.minPriority(), Math.min(policy.maxPriority(), priority));
        }
    }
}
