package dev.sockact.unit.parse;

import dev.sockact.unit.UnitName;

import java.util.ArrayList;
import java.util.List;

/**
 * What a value parser may use besides the value: the unit's specifiers, the key being parsed, and a place for
 * warnings about a value that is still used (e.g. "Ignoring unknown escape sequences").
 */
public final class ParseContext {

    /** A warning raised while a value was still accepted. */
    public record Note(String message, boolean sockactOnly) {
    }

    private final UnitName unit;
    private final Specifiers specifiers;
    private final String key;
    private final List<Note> notes = new ArrayList<>();

    public ParseContext(UnitName unit, Specifiers specifiers, String key) {
        this.unit = unit;
        this.specifiers = specifiers;
        this.key = key;
    }

    public UnitName unit() {
        return unit;
    }

    /** The key as written, e.g. {@code ListenStream}. */
    public String key() {
        return key;
    }

    /**
     * Expands specifiers, failing the way the directive reports it: {@code messageFormat} gets the raw value and
     * the strerror text, e.g. {@code "Failed to resolve unit specifiers in '%s', ignoring: %s"}.
     */
    public String expand(String value, Specifiers.Table table, int maxLength, String messageFormat)
            throws InvalidValueException {
        try {
            return specifiers.expand(value, table, maxLength);
        } catch (Specifiers.SpecifierException e) {
            throw InvalidValueException.ignoring(String.format(messageFormat, value, e.getMessage()));
        }
    }

    /** Expands with the full table, reporting failure with systemd's usual quoted wording. */
    public String expandFull(String value) throws InvalidValueException {
        return expand(value, Specifiers.Table.FULL, Specifiers.PATH_MAX,
                "Failed to resolve unit specifiers in '%s', ignoring: %s");
    }

    /** A warning systemd gives too. */
    public void warn(String message) {
        notes.add(new Note(message, false));
    }

    /** A warning only sockact gives, e.g. that systemd would reject a spelling sockact accepts. */
    public void warnSockactOnly(String message) {
        notes.add(new Note(message, true));
    }

    public List<Note> notes() {
        return List.copyOf(notes);
    }
}
