package dev.sockact.unit;

import java.util.List;

/**
 * One {@code Condition*=} or {@code Assert*=} line of [Unit], parsed: its kind, the {@code |} (triggering) and
 * {@code !} (negated) prefixes, the parameter as systemd prints it (specifiers resolved, paths simplified), and the
 * parameter parsed for its kind. A parameter that systemd 252 accepts at load time but cannot use when it tests the
 * condition (a bad size, an unknown capability) is kept as {@link Unusable}: testing it is an error, and the
 * condition counts as failed, as in systemd.
 */
public record Condition(ConditionKind kind, boolean assertion, boolean trigger, boolean negate, String parameter,
                        Argument argument) {

    /** The key as written in the unit file: {@code ConditionPathExists}, {@code AssertUser}. */
    public String key() {
        return kind.key(assertion);
    }

    /** As systemd prints it in its log and in status: {@code ConditionPathExists=|!/etc/foo}. */
    public String display() {
        return key() + "=" + (trigger ? "|" : "") + (negate ? "!" : "") + parameter;
    }

    /** The parameter, parsed for its kind. */
    public sealed interface Argument permits FilePath, Glob, Word, Flag, Comparison, Versions, OsReleaseTerms,
            MachineId, Capability, Unusable {
    }

    /** An absolute, simplified path (the Path*, DirectoryNotEmpty, File*, NeedsUpdate kinds). */
    public record FilePath(String path) implements Argument {
    }

    /** An fnmatch(3) pattern: PathExistsGlob's path pattern, Host='s host name pattern. */
    public record Glob(String pattern) implements Argument {
    }

    /** A word the kind compares as it is (User, Group, Security, Virtualization, Architecture, ...). */
    public record Word(String value) implements Argument {
    }

    /** ACPower=, FirstBoot=. */
    public record Flag(boolean value) implements Argument {
    }

    /** CPUs=, Memory=: an operator (>= when none is written) and a number (bytes for Memory=). */
    public record Comparison(Order order, long value) implements Argument {
    }

    /** KernelVersion=: every term must hold; a term without an operator is an fnmatch pattern. */
    public record Versions(List<VersionTerm> terms) implements Argument {
        public Versions {
            terms = List.copyOf(terms);
        }
    }

    /** One KernelVersion= term: {@code order} is null for a pattern. */
    public record VersionTerm(Order order, String value) {
    }

    /** OSRelease=: every {@code KEY<op>VALUE} must hold against os-release. */
    public record OsReleaseTerms(List<OsReleaseTerm> terms) implements Argument {
        public OsReleaseTerms {
            terms = List.copyOf(terms);
        }
    }

    public record OsReleaseTerm(String key, Order order, String value) {
    }

    /** Host= given as a machine ID: 32 lower-case hex digits. */
    public record MachineId(String hex) implements Argument {
    }

    /** Capability=: the capability's number. */
    public record Capability(int number) implements Argument {
    }

    /** A parameter the kind cannot use: testing fails with {@code reason} (a strerror text, "Invalid argument"). */
    public record Unusable(String reason) implements Argument {
    }

    /** systemd's comparison operators (condition.c parse_order()), longest first as they are matched. */
    public enum Order {
        LOWER_OR_EQUAL("<="), GREATER_OR_EQUAL(">="), LOWER("<"), GREATER(">"), EQUAL("="), UNEQUAL("!=");

        private final String text;

        Order(String text) {
            this.text = text;
        }

        public String text() {
            return text;
        }

        /** The operator {@code s} starts with, or null. */
        public static Order prefixOf(String s) {
            for (Order o : values()) {
                if (s.startsWith(o.text)) {
                    return o;
                }
            }
            return null;
        }

        /** Whether a comparison result ({@code <0}, {@code 0}, {@code >0}) satisfies this operator. */
        public boolean holds(int comparison) {
            return switch (this) {
                case LOWER -> comparison < 0;
                case LOWER_OR_EQUAL -> comparison <= 0;
                case EQUAL -> comparison == 0;
                case UNEQUAL -> comparison != 0;
                case GREATER_OR_EQUAL -> comparison >= 0;
                case GREATER -> comparison > 0;
            };
        }
    }
}
