package dev.sockact.unit;

import java.util.Optional;

/**
 * A unit name split the way systemd splits it: {@code prefix[@instance].suffix}.
 *
 * @param prefix   the part before {@code @} or the suffix, e.g. {@code foo} in {@code foo@bar.service}
 * @param instance the instance, empty string for a template ({@code foo@.service}), {@code null} when there is no {@code @}
 * @param suffix   the type suffix without the dot, e.g. {@code socket}; not necessarily a type sockact reads
 */
public record UnitName(String prefix, String instance, String suffix) {

    /** systemd's UNIT_NAME_MAX. */
    public static final int MAX_LENGTH = 255;

    private static final String VALID_CHARS =
            "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ:-_.\\";

    /** Parses {@code name}, or returns empty when systemd would not accept it as a unit name. */
    public static Optional<UnitName> parse(String name) {
        if (name == null || name.isEmpty() || name.length() > MAX_LENGTH) {
            return Optional.empty();
        }
        int dot = name.lastIndexOf('.');
        if (dot <= 0 || dot == name.length() - 1) {
            return Optional.empty();
        }
        String suffix = name.substring(dot + 1);
        String base = name.substring(0, dot);
        for (int i = 0; i < suffix.length(); i++) {
            char c = suffix.charAt(i);
            if (c >= 128 || !Character.isLetter(c)) {
                return Optional.empty();
            }
        }
        int at = base.indexOf('@');
        String prefix = at < 0 ? base : base.substring(0, at);
        String instance = at < 0 ? null : base.substring(at + 1);
        if (prefix.isEmpty() || !validChars(prefix, false)
                || (instance != null && !validChars(instance, true))) {
            return Optional.empty();
        }
        return Optional.of(new UnitName(prefix, instance, suffix));
    }

    /** Parses a name the caller already knows to be valid. */
    public static UnitName of(String name) {
        return parse(name).orElseThrow(() -> new IllegalArgumentException("Invalid unit name: " + name));
    }

    private static boolean validChars(String s, boolean instance) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (VALID_CHARS.indexOf(c) < 0 && !(instance && c == '@')) {
                return false;
            }
        }
        return true;
    }

    public Optional<UnitType> type() {
        return UnitType.fromSuffix(suffix);
    }

    /** {@code foo@.service}: a template, which cannot be started itself. */
    public boolean isTemplate() {
        return instance != null && instance.isEmpty();
    }

    /** {@code foo@bar.service}. */
    public boolean isInstance() {
        return instance != null && !instance.isEmpty();
    }

    /** The template this instance is made from ({@code foo@.service}), or this name. */
    public UnitName template() {
        return isInstance() ? new UnitName(prefix, "", suffix) : this;
    }

    /** The same name with another type suffix: {@code foo.socket} → {@code foo.service}. */
    public UnitName withSuffix(String newSuffix) {
        return new UnitName(prefix, instance, newSuffix);
    }

    /** The same template with {@code newInstance} filled in. */
    public UnitName withInstance(String newInstance) {
        return new UnitName(prefix, newInstance, suffix);
    }

    /** The name without the suffix ({@code %N}). */
    public String withoutSuffix() {
        return instance == null ? prefix : prefix + "@" + instance;
    }

    @Override
    public String toString() {
        return withoutSuffix() + "." + suffix;
    }

    // Written out: a unit name keys the maps an Accept=yes connection looks up, and the generated record methods
    // cost several method-handle calls each under C1, sockactd's only compiler.
    @Override
    public boolean equals(Object o) {
        return o instanceof UnitName other && prefix.equals(other.prefix) && suffix.equals(other.suffix)
                && java.util.Objects.equals(instance, other.instance);
    }

    @Override
    public int hashCode() {
        return (prefix.hashCode() * 31 + (instance == null ? 0 : instance.hashCode())) * 31 + suffix.hashCode();
    }
}
