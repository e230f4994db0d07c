package dev.sockact.unit.parse;

import dev.sockact.unit.HostInfo;
import dev.sockact.unit.UnitName;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code %} specifier expansion for one unit, as systemd's {@code specifier_printf()} does it: {@code %%} is a
 * literal {@code %}; an unknown letter or digit fails with EBADSLT ("Invalid slot"); {@code %} before any other
 * character, or at the end, is kept.
 */
public final class Specifiers {

    /** Which specifiers a setting expands: unit_full_printf() or the smaller unit_name_printf(). */
    public enum Table {
        /** Everything systemd.unit(5) lists: paths, commands, descriptions. */
        FULL,
        /** Unit names only (Service=, dependencies): {@code %n %N %p %i %j} and the system/user ones. */
        NAME
    }

    /** systemd's PATH_MAX, the bound unit_full_printf_full() applies to commands and paths. */
    public static final int PATH_MAX = 4096;

    private final Map<Character, Supplier<String>> full = new HashMap<>();
    private final Map<Character, Supplier<String>> name = new HashMap<>();
    /** A specifier whose value names the instance (or the whole unit name) has been expanded. */
    private boolean instanceExpanded;

    public Specifiers(UnitName unit, Path fragmentPath, HostInfo host) {
        name.put('n', ofInstance(unit::toString));
        name.put('N', ofInstance(unit::withoutSuffix));
        name.put('p', unit::prefix);
        name.put('i', ofInstance(() -> unit.instance() == null ? "" : unit.instance()));
        name.put('j', () -> lastDashComponent(unit.prefix()));
        addSystem(name, host);
        full.putAll(name);
        full.put('P', () -> UnitNames.unescape(unit.prefix()));
        full.put('I', ofInstance(() -> UnitNames.unescape(unit.instance() == null ? "" : unit.instance())));
        full.put('J', () -> UnitNames.unescape(lastDashComponent(unit.prefix())));
        full.put('f', ofInstance(() -> UnitNames.pathUnescape(unit.instance() != null && !unit.instance().isEmpty()
                ? unit.instance() : unit.prefix())));
        full.put('y', () -> fragmentPath == null ? "" : fragmentPath.toString());
        full.put('Y', () -> fragmentPath == null || fragmentPath.getParent() == null
                ? "" : fragmentPath.getParent().toString());
        full.put('d', ofInstance(() -> System.getenv().getOrDefault("CREDENTIALS_DIRECTORY",
                host.runtimeDir() + "/credentials/" + unit)));
        full.put('C', host::cacheDir);
        full.put('E', host::configDir);
        full.put('L', host::logsDir);
        full.put('S', host::stateDir);
        full.put('t', host::runtimeDir);
        full.put('h', host::home);
        full.put('s', host::shell);
        // deprecated cgroup specifiers: systemd 252 still expands them to the unit's default cgroup
        full.put('c', ofInstance(() -> "/system.slice/" + unit));
        full.put('r', () -> "/system.slice");
        full.put('R', () -> "/");
    }

    /** {@code value}, noted as naming the instance when expanded. */
    private Supplier<String> ofInstance(Supplier<String> value) {
        return () -> {
            instanceExpanded = true;
            return value.get();
        };
    }

    /**
     * Whether an expansion so far used the instance or the whole unit name ({@code %n %N %i %I %f %d %c}): if not,
     * what was expanded is the same for every instance of the template.
     */
    public boolean instanceExpanded() {
        return instanceExpanded;
    }

    private static void addSystem(Map<Character, Supplier<String>> table, HostInfo host) {
        table.put('a', host::architecture);
        table.put('A', () -> host.osRelease().getOrDefault("IMAGE_VERSION", ""));
        table.put('b', host::bootId);
        table.put('B', () -> host.osRelease().getOrDefault("BUILD_ID", ""));
        table.put('H', host::hostname);
        table.put('l', host::shortHostname);
        table.put('m', host::machineId);
        table.put('M', () -> host.osRelease().getOrDefault("IMAGE_ID", ""));
        table.put('o', () -> host.osRelease().getOrDefault("ID", ""));
        table.put('q', host::prettyHostname);
        table.put('v', host::kernelRelease);
        table.put('w', () -> host.osRelease().getOrDefault("VERSION_ID", ""));
        table.put('W', () -> host.osRelease().getOrDefault("VARIANT_ID", ""));
        table.put('T', host::tmpDir);
        table.put('V', () -> "/var/tmp");
        table.put('u', host::userName);
        table.put('U', () -> Long.toString(host.uid()));
        table.put('g', host::groupName);
        table.put('G', () -> Long.toString(host.gid()));
    }

    private static String lastDashComponent(String prefix) {
        int dash = prefix.lastIndexOf('-');
        return dash < 0 ? prefix : prefix.substring(dash + 1);
    }

    /**
     * Expands {@code text}.
     *
     * @throws SpecifierException EBADSLT for an unknown specifier, ENAMETOOLONG past {@code maxLength}
     */
    public String expand(String text, Table table, int maxLength) throws SpecifierException {
        Map<Character, Supplier<String>> specifiers = table == Table.FULL ? full : name;
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c != '%' || i + 1 == text.length()) {
                out.append(c);
            } else {
                char s = text.charAt(++i);
                if (s == '%') {
                    out.append('%');
                } else if (specifiers.containsKey(s)) {
                    out.append(specifiers.get(s).get());
                } else if (s < 128 && Character.isLetterOrDigit(s)) {
                    throw new SpecifierException(Errno.EBADSLT);
                } else {
                    out.append('%').append(s);
                }
            }
            if (out.length() > maxLength) {
                throw new SpecifierException(Errno.ENAMETOOLONG);
            }
        }
        return out.toString();
    }

    /** Expansion failed; the message is the strerror text systemd prints. */
    public static final class SpecifierException extends Exception {
        private static final long serialVersionUID = 1L;

        SpecifierException(Errno errno) {
            super(errno.text(), null, false, false);
        }
    }
}
