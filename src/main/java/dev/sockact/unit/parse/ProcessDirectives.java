package dev.sockact.unit.parse;

import dev.sockact.unit.Capabilities;
import dev.sockact.unit.ProcessSettings.IoClass;
import dev.sockact.unit.ProcessSettings.KeyringMode;
import dev.sockact.unit.ProcessSettings.SchedulingPolicy;
import dev.sockact.unit.ProcessSettings.SecureBit;
import dev.sockact.unit.ResourceLimit;
import dev.sockact.unit.ServiceUnit;
import dev.sockact.unit.TimeSpan;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.ToIntFunction;

/**
 * The [Service] keys for the process the commands run in (systemd.exec(5)): {@code Limit*=}, Nice=,
 * OOMScoreAdjust=, IOScheduling*=, CPUScheduling*=, CPUAffinity=, SupplementaryGroups=, NoNewPrivileges=,
 * AmbientCapabilities=, CapabilityBoundingSet=, SecureBits=, KeyringMode=, parsed as load-fragment.c does.
 */
final class ProcessDirectives {

    private ProcessDirectives() {
    }

    static DirectiveTable.Builder<ServiceUnit.Builder> rows(DirectiveTable.Builder<ServiceUnit.Builder> table) {
        for (ResourceLimit limit : ResourceLimit.values()) {
            table.custom(limit.key(), (b, value, context) -> b.process().limit(limit, limit(limit, value)));
        }
        return table
                .custom("Nice", (b, value, context) -> b.process().nice(nice(value)))
                .custom("OOMScoreAdjust", (b, value, context) -> b.process().oomScoreAdjust(oomScoreAdjust(value)))
                .custom("IOSchedulingClass", ProcessDirectives::ioClass)
                .custom("IOSchedulingPriority", ProcessDirectives::ioPriority)
                .custom("CPUSchedulingPolicy", ProcessDirectives::cpuPolicy)
                .custom("CPUSchedulingPriority", ProcessDirectives::cpuPriority)
                .one("CPUSchedulingResetOnFork", Values.bool(), (b, v) -> b.process().cpuResetOnFork(v))
                .custom("CPUAffinity", ProcessDirectives::cpuAffinity)
                .custom("SupplementaryGroups", ProcessDirectives::supplementaryGroups)
                .one("NoNewPrivileges", Values.bool(), (b, v) -> b.process().noNewPrivileges(v))
                .custom("AmbientCapabilities", (b, value, context) -> b.process().ambientCapabilities(
                        capabilities(b.process().ambientCapabilities(), Capabilities.NONE, value, context)))
                .custom("CapabilityBoundingSet", (b, value, context) -> b.process().capabilityBoundingSet(
                        capabilities(b.process().capabilityBoundingSet(), Capabilities.ALL, value, context)))
                .custom("SecureBits", ProcessDirectives::secureBits)
                .custom("KeyringMode", (b, value, context) -> b.process().keyringMode(
                        word(KeyringMode.values(), KeyringMode::text, value, "Failed to parse keyring mode")));
    }

    /** {@code rlimit_parse()}: {@code soft:hard} or one value for both; soft above hard is refused. */
    static ResourceLimit.Value limit(ResourceLimit limit, String value) throws InvalidValueException {
        int colon = value.indexOf(':');
        String soft = colon < 0 ? value : value.substring(0, colon);
        String hard = colon < 0 ? null : value.substring(colon + 1);
        try {
            if (soft.isEmpty() || hard != null && (hard.isEmpty() || hard.indexOf(':') >= 0)) {
                throw new NumberFormatException("EINVAL");
            }
            long softValue = limitValue(limit, soft);
            ResourceLimit.Value parsed = new ResourceLimit.Value(softValue,
                    hard == null ? softValue : limitValue(limit, hard));
            if (parsed.softAboveHard()) {
                throw new NumberFormatException("EILSEQ");
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw InvalidValueException.ignoring("Failed to parse resource value, ignoring: " + value);
        }
    }

    /** {@code rlimit_parse_one()}: by the limit's kind; {@code infinity} everywhere. */
    private static long limitValue(ResourceLimit limit, String text) {
        if (text.equals("infinity")) {
            return ResourceLimit.INFINITY;
        }
        return switch (limit.unit()) {
            case SECONDS -> {
                TimeSpan span = TimeSpan.parseSec(text);
                yield span.isInfinite() ? ResourceLimit.INFINITY : Math.ceilDiv(span.micros(), 1_000_000L);
            }
            case MICROSECONDS -> {
                TimeSpan span = TimeSpan.parse(text, 1);
                yield span.isInfinite() ? ResourceLimit.INFINITY : span.micros();
            }
            case BYTES -> Values.parseIecSize(text);
            case COUNT -> unsigned64(text);
            case NICE -> niceLimit(text);
        };
    }

    /** {@code safe_atou64()} below RLIM_INFINITY. */
    private static long unsigned64(String text) {
        long value = CNumbers.parseUnsignedNoSign(text, 10, Long.MAX_VALUE);
        if (value < 0) {
            throw new NumberFormatException("ERANGE");
        }
        return value;
    }

    /** {@code rlimit_parse_nice()}: {@code +N} is 20-N (N 0..19), {@code -N} is 20+N (N 0..20), else raw 0..40. */
    private static long niceLimit(String text) {
        if (text.startsWith("+")) {
            long level = unsigned64(text.substring(1));
            if (level >= 20) {
                throw new NumberFormatException("ERANGE");
            }
            return 20 - level;
        }
        if (text.startsWith("-")) {
            long level = unsigned64(text.substring(1));
            if (level > 20) {
                throw new NumberFormatException("ERANGE");
            }
            return 20 + level;
        }
        long raw = unsigned64(text);
        if (raw > 40) {
            throw new NumberFormatException("ERANGE");
        }
        return raw;
    }

    /** {@code parse_nice()}: -20..19. */
    private static int nice(String value) throws InvalidValueException {
        try {
            int nice = CNumbers.parseInt32(value);
            if (nice < -20 || nice > 19) {
                throw new NumberFormatException("ERANGE");
            }
            return nice;
        } catch (NumberFormatException e) {
            throw InvalidValueException.ignoring("Failed to parse nice priority '" + value + "', ignoring: "
                    + Errno.of(e).text());
        }
    }

    /** {@code parse_oom_score_adjust()}: -1000..1000. */
    private static int oomScoreAdjust(String value) throws InvalidValueException {
        try {
            int adjust = CNumbers.parseInt32(value);
            if (adjust < -1000 || adjust > 1000) {
                throw new NumberFormatException("ERANGE");
            }
            return adjust;
        } catch (NumberFormatException e) {
            throw InvalidValueException.ignoring("Failed to parse the OOM score adjust value '" + value
                    + "', ignoring: " + Errno.of(e).text());
        }
    }

    /** {@code config_parse_exec_io_class}: a class name or its number; empty resets. */
    private static void ioClass(ServiceUnit.Builder b, String value, ParseContext context)
            throws InvalidValueException {
        if (value.isEmpty()) {
            b.process().ioClass(null);
            return;
        }
        b.process().ioClass(nameOrNumber(IoClass.values(), IoClass::text, IoClass::number, value,
                "Failed to parse IO scheduling class"));
    }

    /** {@code config_parse_exec_io_priority}: 0..7; empty resets. */
    private static void ioPriority(ServiceUnit.Builder b, String value, ParseContext context)
            throws InvalidValueException {
        if (value.isEmpty()) {
            b.process().ioPriority(null);
            return;
        }
        try {
            long priority = CNumbers.parseUnsigned32(value);
            if (priority > 7) {
                throw new NumberFormatException("ERANGE");
            }
            b.process().ioPriority((int) priority);
        } catch (NumberFormatException e) {
            throw InvalidValueException.ignoring("Failed to parse IO priority, ignoring: " + value);
        }
    }

    /** {@code config_parse_exec_cpu_sched_policy}: a policy name or its number; empty resets. */
    private static void cpuPolicy(ServiceUnit.Builder b, String value, ParseContext context)
            throws InvalidValueException {
        if (value.isEmpty()) {
            b.process().cpuPolicy(null);
            b.process().cpuPriority(null);
            return;
        }
        b.process().cpuPolicy(nameOrNumber(SchedulingPolicy.values(), SchedulingPolicy::text,
                SchedulingPolicy::number, value, "Failed to parse CPU scheduling policy"));
    }

    /** {@code config_parse_exec_cpu_sched_prio}: 0..99. */
    private static void cpuPriority(ServiceUnit.Builder b, String value, ParseContext context)
            throws InvalidValueException {
        int priority;
        try {
            priority = CNumbers.parseInt32(value);
        } catch (NumberFormatException e) {
            throw InvalidValueException.ignoring("Failed to parse CPU scheduling priority, ignoring: " + value);
        }
        // The policy may come later in the file: only the outer bounds are checked here, and build() moves the
        // priority into the range of the policy.
        if (priority < 0 || priority > 99) {
            throw InvalidValueException.ignoring("CPU scheduling priority is out of range, ignoring: " + value);
        }
        b.process().cpuPriority(priority);
    }

    /** {@code parse_cpu_set_extend()}: CPU numbers and ranges, separated by spaces or commas; empty resets. */
    private static void cpuAffinity(ServiceUnit.Builder b, String value, ParseContext context)
            throws InvalidValueException {
        if (value.isEmpty()) {
            b.process().cpuAffinity().clear();
            return;
        }
        List<Integer> cpus = new ArrayList<>();
        try {
            for (String word : value.strip().split("[\\s,]+")) {
                int dash = word.indexOf('-');
                long first = CNumbers.parseUnsignedNoSign(dash < 0 ? word : word.substring(0, dash), 10, 8191);
                long last = dash < 0 ? first : CNumbers.parseUnsignedNoSign(word.substring(dash + 1), 10, 8191);
                if (last < first) {
                    throw new NumberFormatException("ERANGE");
                }
                for (long cpu = first; cpu <= last; cpu++) {
                    cpus.add((int) cpu);
                }
            }
        } catch (NumberFormatException e) {
            throw InvalidValueException.ignoring("Failed to parse CPU affinity '" + value + "', ignoring: "
                    + Errno.of(e).text());
        }
        b.process().cpuAffinity().addAll(cpus);
    }

    /** {@code config_parse_user_group_strv_compat}: names or numeric ids, after specifiers; empty resets. */
    private static void supplementaryGroups(ServiceUnit.Builder b, String value, ParseContext context)
            throws InvalidValueException {
        if (value.isEmpty()) {
            b.process().supplementaryGroups().clear();
            return;
        }
        for (String word : ListParsers.words(value, false, value)) {
            String name = context.expandFull(word);
            if (!UserNames.isValidRelaxed(name)) {
                context.warn("Invalid user/group name or numeric ID, ignoring: " + name);
                continue;
            }
            b.process().supplementaryGroups().add(name);
        }
    }

    /**
     * {@code config_parse_capability_set}: names separated by spaces, {@code ~} inverting; an assignment replaces
     * the default ({@code initial}), later ones add to it (or, inverted, take away); an empty one empties it.
     */
    private static Capabilities capabilities(Capabilities current, Capabilities initial, String value,
                                             ParseContext context) throws InvalidValueException {
        boolean invert = value.startsWith("~");
        String names = invert ? value.substring(1) : value;
        long sum = 0;
        for (String name : names.strip().split("\\s+")) {
            if (name.isEmpty()) {
                continue;
            }
            int number = Capabilities.number(name);
            if (number < 0) {
                throw InvalidValueException.ignoring("Failed to parse " + context.key() + "= specifier '" + value
                        + "', ignoring: Invalid argument");
            }
            sum |= 1L << number;
        }
        Capabilities given = new Capabilities(sum);
        if (sum == 0 || current.equals(initial)) {
            return invert ? given.inverted() : given;
        }
        return invert ? current.and(given.inverted()) : current.or(given);
    }

    /** {@code config_parse_exec_secure_bits}: secure bit words separated by spaces; empty resets. */
    private static void secureBits(ServiceUnit.Builder b, String value, ParseContext context)
            throws InvalidValueException {
        if (value.isEmpty()) {
            b.process().secureBits().clear();
            return;
        }
        List<SecureBit> bits = new ArrayList<>();
        for (String word : value.strip().split("\\s+")) {
            SecureBit bit = word(SecureBit.values(), SecureBit::text, word, null);
            if (bit == null) {
                throw InvalidValueException.ignoring("Invalid syntax, ignoring: " + value);
            }
            bits.add(bit);
        }
        b.process().secureBits().addAll(bits);
    }

    /** A fixed word or the kernel's number for it (systemd's string tables with a numeric fallback). */
    private static <E> E nameOrNumber(E[] values, Function<E, String> text, ToIntFunction<E> number, String value,
                                      String messagePrefix) throws InvalidValueException {
        for (E candidate : values) {
            if (Integer.toString(number.applyAsInt(candidate)).equals(value)) {
                return candidate;
            }
        }
        return word(values, text, value, messagePrefix);
    }

    /** A fixed word; with {@code messagePrefix} an unknown one is refused, without it null. */
    private static <E> E word(E[] values, Function<E, String> text, String value, String messagePrefix)
            throws InvalidValueException {
        for (E candidate : values) {
            if (text.apply(candidate).equals(value)) {
                return candidate;
            }
        }
        if (messagePrefix == null) {
            return null;
        }
        throw InvalidValueException.ignoring(messagePrefix + ", ignoring: " + value);
    }
}
