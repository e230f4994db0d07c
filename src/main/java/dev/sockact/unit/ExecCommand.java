package dev.sockact.unit;

import java.util.List;
import java.util.Set;

/**
 * One command of an Exec*= line, after prefixes, quoting and escapes are resolved. {@code $VAR} and {@code ${VAR}}
 * are kept as written: they are expanded at spawn time against the service environment, unless
 * {@link Flag#NO_ENV_EXPAND} is set.
 *
 * @param path  the executable, absolute or a bare name to look up in PATH
 * @param argv  argv including argv[0] (which differs from {@code path} with the {@code @} prefix)
 * @param flags the prefixes given
 */
public record ExecCommand(String path, List<String> argv, Set<Flag> flags) {

    /** The prefixes of systemd.service(5), "Command lines". */
    public enum Flag {
        /** {@code -}: a failure exit status is recorded but ignored. */
        IGNORE_FAILURE('-'),
        /** {@code @}: the second word is argv[0]. */
        ARGV0('@'),
        /** {@code :}: no environment variable substitution. */
        NO_ENV_EXPAND(':'),
        /** {@code +}: run with full privileges. */
        FULL_PRIVILEGES('+'),
        /** {@code !}: run with privileges but let User= apply (ambient capabilities). */
        AMBIENT_PRIVILEGES('!'),
        /** {@code !!}: like {@code !}, only on systems without ambient capabilities. */
        NO_SETUID_FALLBACK('!');

        private final char prefix;

        Flag(char prefix) {
            this.prefix = prefix;
        }

        public char prefix() {
            return prefix;
        }
    }

    public ExecCommand {
        argv = List.copyOf(argv);
        flags = Set.copyOf(flags);
    }

    public boolean ignoresFailure() {
        return flags.contains(Flag.IGNORE_FAILURE);
    }

    /** {@code systemctl show}'s form: {@code { path=/bin/x ; argv[]=/bin/x a ; ignore_errors=no }}. */
    public String display() {
        return "{ path=" + path + " ; argv[]=" + String.join(" ", argv) + " ; ignore_errors="
                + (ignoresFailure() ? "yes" : "no") + " }";
    }
}
