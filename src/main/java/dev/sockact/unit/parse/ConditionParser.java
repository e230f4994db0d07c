package dev.sockact.unit.parse;

import dev.sockact.unit.Condition;
import dev.sockact.unit.Condition.Argument;
import dev.sockact.unit.Condition.Order;
import dev.sockact.unit.ConditionKind;
import dev.sockact.unit.UnitInfo;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * systemd 252's {@code config_parse_unit_condition_path()} and {@code _string()}: an optional {@code |} (triggering),
 * then an optional {@code !} (negated), then the parameter with specifiers resolved; path kinds must be absolute and
 * are simplified. An empty assignment clears every condition (or every assert) given so far. The parameter is then
 * parsed for its kind (see {@link Condition}); what systemd only finds wrong when it tests the condition becomes
 * {@link Condition.Unusable}, so that the unit loads as it does under systemd.
 */
final class ConditionParser {
    private static final Pattern ID128 = Pattern.compile("[0-9a-fA-F]{32}|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}"
            + "-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final String WHITESPACE = " \t\n\r";
    /** cap-list.c's names, by number. */
    private static final List<String> CAPABILITIES = List.of("chown", "dac_override", "dac_read_search", "fowner",
            "fsetid", "kill", "setgid", "setuid", "setpcap", "linux_immutable", "net_bind_service", "net_broadcast",
            "net_admin", "net_raw", "ipc_lock", "ipc_owner", "sys_module", "sys_rawio", "sys_chroot", "sys_ptrace",
            "sys_pacct", "sys_admin", "sys_boot", "sys_nice", "sys_resource", "sys_time", "sys_tty_config", "mknod",
            "lease", "audit_write", "audit_control", "setfcap", "mac_override", "mac_admin", "syslog", "wake_alarm",
            "block_suspend", "audit_read", "perfmon", "bpf", "checkpoint_restore");

    private ConditionParser() {
    }

    /** The row for {@code Condition<kind>=} or {@code Assert<kind>=}. */
    static DirectiveTable.Handler<UnitInfo.Builder> handler(ConditionKind kind, boolean assertion) {
        return (builder, value, context) -> {
            if (value.isEmpty()) {
                builder.clearConditions(assertion);
                return;
            }
            builder.addCondition(parse(kind, assertion, value, context));
        };
    }

    static Condition parse(ConditionKind kind, boolean assertion, String value, ParseContext context)
            throws InvalidValueException {
        String rest = value;
        boolean trigger = rest.startsWith("|");
        if (trigger) {
            rest = rest.substring(1);
        }
        boolean negate = rest.startsWith("!");
        if (negate) {
            rest = rest.substring(1);
        }
        String parameter = context.expandFull(rest);
        if (kind.pathValued()) {
            parameter = AbsolutePaths.check(parameter, context.key(), parameter);
        }
        return new Condition(kind, assertion, trigger, negate, parameter, argument(kind, parameter));
    }

    static Argument argument(ConditionKind kind, String p) {
        return switch (kind) {
            case PATH_EXISTS_GLOB -> new Condition.Glob(p);
            case PATH_EXISTS, PATH_IS_DIRECTORY, PATH_IS_SYMBOLIC_LINK, PATH_IS_MOUNT_POINT, PATH_IS_READ_WRITE,
                 DIRECTORY_NOT_EMPTY, FILE_NOT_EMPTY, FILE_IS_EXECUTABLE, NEEDS_UPDATE -> new Condition.FilePath(p);
            case FIRST_BOOT, AC_POWER -> {
                Boolean b = Values.parseBoolean(p);
                yield b == null ? invalid() : new Condition.Flag(b);
            }
            case CPUS -> comparison(p, false);
            case MEMORY -> comparison(p, true);
            case KERNEL_VERSION -> versions(p);
            case OS_RELEASE -> osRelease(p);
            case HOST -> ID128.matcher(p).matches()
                    ? new Condition.MachineId(p.replace("-", "").toLowerCase(Locale.ROOT)) : new Condition.Glob(p);
            case CAPABILITY -> capability(p);
            case ARCHITECTURE, VIRTUALIZATION, KERNEL_COMMAND_LINE, SECURITY, ENVIRONMENT, USER, GROUP,
                 CONTROL_GROUP_CONTROLLER -> new Condition.Word(p);
        };
    }

    private static Argument invalid() {
        return new Condition.Unusable(Errno.EINVAL.text());
    }

    /** CPUs= ({@code safe_atou}) and Memory= ({@code parse_size(…, 1024)}), after an optional operator. */
    private static Argument comparison(String p, boolean size) {
        Order order = Order.prefixOf(p);
        String number = order == null ? p : p.substring(order.text().length());
        try {
            long value = size ? Values.parseIecSize(number) : unsignedInt(number);
            return new Condition.Comparison(order == null ? Order.GREATER_OR_EQUAL : order, value);
        } catch (NumberFormatException e) {
            return new Condition.Unusable(Errno.of(e).text());
        }
    }

    /** {@code safe_atou()}: leading whitespace, then decimal digits only, at most UINT_MAX. */
    private static long unsignedInt(String s) {
        String digits = s.stripLeading();
        if (digits.isEmpty() || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new NumberFormatException("EINVAL");
        }
        if (digits.length() > 10 || Long.parseLong(digits) > 0xFFFF_FFFFL) {
            throw new NumberFormatException("ERANGE");
        }
        return Long.parseLong(digits);
    }

    /**
     * KernelVersion=: words (quotes group); each an operator and a version, or a pattern. Only the first may have
     * whitespace between its operator and its version ({@code >= 6.1}).
     */
    private static Argument versions(String p) {
        List<Condition.VersionTerm> terms = new ArrayList<>();
        try {
            int at = 0;
            boolean first = true;
            for (Words.Word w = Words.next(p, at, false, false); w.text() != null;
                 w = Words.next(p, at, false, false)) {
                at = w.end();
                String word = w.text().strip();
                Order order = Order.prefixOf(word);
                if (order == null) {
                    terms.add(new Condition.VersionTerm(null, word));
                } else {
                    String version = stripLeading(word.substring(order.text().length()));
                    if (version.isEmpty()) {
                        Words.Word next = first ? Words.next(p, at, false, false) : null;
                        if (next == null || next.text() == null) {
                            return invalid();
                        }
                        at = next.end();
                        version = next.text();
                    }
                    terms.add(new Condition.VersionTerm(order, version));
                }
                first = false;
            }
        } catch (Words.SyntaxException e) {
            return invalid();
        }
        return new Condition.Versions(terms);
    }

    /** OSRelease=: words of {@code KEY<op>VALUE}, KEY an environment variable name, no whitespace after the operator. */
    private static Argument osRelease(String p) {
        List<Condition.OsReleaseTerm> terms = new ArrayList<>();
        try {
            int at = 0;
            for (Words.Word w = Words.next(p, at, false, false); w.text() != null;
                 w = Words.next(p, at, false, false)) {
                at = w.end();
                String word = w.text();
                int op = 0;
                while (op < word.length() && "!<=>".indexOf(word.charAt(op)) < 0) {
                    op++;
                }
                String key = word.substring(0, op);
                Order order = Order.prefixOf(word.substring(op));
                if (key.isEmpty() || !ENV_NAME.matcher(key).matches() || order == null) {
                    return invalid();
                }
                String value = word.substring(op + order.text().length());
                if (value.isEmpty() || WHITESPACE.indexOf(value.charAt(0)) >= 0) {
                    return invalid();
                }
                terms.add(new Condition.OsReleaseTerm(key, order, value));
            }
        } catch (Words.SyntaxException e) {
            return invalid();
        }
        return new Condition.OsReleaseTerms(terms);
    }

    /** {@code capability_from_name()}: a number below 64, or a name with {@code CAP_}, any case. */
    private static Argument capability(String p) {
        if (p.matches("[+-]?[0-9]+")) {
            try {
                int n = Integer.parseInt(p);
                return n >= 0 && n < 64 ? new Condition.Capability(n) : invalid();
            } catch (NumberFormatException e) {
                return invalid();
            }
        }
        String lower = p.toLowerCase(Locale.ROOT);
        int n = lower.startsWith("cap_") ? CAPABILITIES.indexOf(lower.substring(4)) : -1;
        return n < 0 ? invalid() : new Condition.Capability(n);
    }

    private static String stripLeading(String s) {
        int i = 0;
        while (i < s.length() && WHITESPACE.indexOf(s.charAt(i)) >= 0) {
            i++;
        }
        return s.substring(i);
    }
}
