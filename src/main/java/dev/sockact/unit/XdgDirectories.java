package dev.sockact.unit;

import java.util.Map;
import java.util.Optional;

/**
 * A user's base directories as the XDG Base Directory specification defines them, read from the environment in one
 * place: the unit search paths of systemd and of sockactd's user manager, and the %-specifiers, all derive from it.
 *
 * @param runtime {@code $XDG_RUNTIME_DIR}, which has no default (the spec leaves it to the session)
 */
public record XdgDirectories(String home, String config, String data, String cache, String state,
                             Optional<String> runtime) {

    /** From {@code env}, with the spec's defaults under {@code home}. */
    public static XdgDirectories of(Map<String, String> env, String home) {
        return new XdgDirectories(home,
                env.getOrDefault("XDG_CONFIG_HOME", home + "/.config"),
                env.getOrDefault("XDG_DATA_HOME", home + "/.local/share"),
                env.getOrDefault("XDG_CACHE_HOME", home + "/.cache"),
                env.getOrDefault("XDG_STATE_HOME", home + "/.local/state"),
                Optional.ofNullable(env.get("XDG_RUNTIME_DIR")));
    }

    /** Ours: the process environment, and $HOME (the JVM's user.home when unset). */
    public static XdgDirectories current() {
        Map<String, String> env = System.getenv();
        return of(env, env.getOrDefault("HOME", System.getProperty("user.home")));
    }
}
