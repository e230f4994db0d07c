package dev.sockact.unit.parse;

import dev.sockact.unit.Diagnostic;
import dev.sockact.unit.Diagnostic.Origin;
import dev.sockact.unit.Diagnostic.Severity;
import dev.sockact.unit.UnitName;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Applies the lines of one or more files (fragment, then drop-ins) to a unit builder through the unit type's
 * directive tables, reporting each problem as a {@link Diagnostic} with systemd's wording.
 *
 * @param <B> the unit's builder
 */
public final class UnitFileParser<B> {

    private final UnitName unit;
    private final UnitSchema<B> schema;
    private final B builder;
    private final Specifiers specifiers;
    private final Consumer<Diagnostic> diagnostics;
    private final Set<String> reportedUnsupported = new HashSet<>();

    public UnitFileParser(UnitName unit, UnitSchema<B> schema, B builder, Specifiers specifiers,
                          Consumer<Diagnostic> diagnostics) {
        this.unit = unit;
        this.schema = schema;
        this.builder = builder;
        this.specifiers = specifiers;
        this.diagnostics = diagnostics;
    }

    /**
     * Applies one file.
     *
     * @return false when the file has a fatal error: systemd stops reading there and the unit does not load
     */
    public boolean apply(Path file, byte[] content) {
        String section = null;
        boolean sectionIgnored = false;
        for (UnitFileLexer.Entry entry : UnitFileLexer.lex(content)) {
            switch (entry) {
                case UnitFileLexer.Problem problem -> {
                    report(file, problem.line(), section, null, problem.fatal() ? Severity.ERROR : Severity.WARNING,
                            Origin.SYSTEMD, problem.message());
                    if (problem.fatal()) {
                        return false;
                    }
                }
                case UnitFileLexer.SectionHeader header -> {
                    if (schema.section(header.name()) != null) {
                        section = header.name();
                        sectionIgnored = false;
                    } else {
                        if (!header.name().startsWith("X-")) {
                            warn(file, header.line(), null, null, "Unknown section '" + header.name() + "'. Ignoring.");
                        }
                        section = null;
                        sectionIgnored = true;
                    }
                }
                case UnitFileLexer.Assignment assignment -> {
                    if (section == null) {
                        if (!sectionIgnored) {
                            warn(file, assignment.line(), null, null, "Assignment outside of section. Ignoring.");
                        }
                    } else if (!assign(file, section, assignment)) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    private boolean assign(Path file, String section, UnitFileLexer.Assignment assignment) {
        int line = assignment.line();
        String key = assignment.key();
        if (key == null) {
            warn(file, line, section, null, "Missing '=', ignoring line.");
            return true;
        }
        if (key.isEmpty()) {
            warn(file, line, section, null, "Missing key name before '=', ignoring line.");
            return true;
        }
        UnitSchema.Binding<B, ?> binding = schema.section(section);
        DirectiveTable.Directive<?> directive = binding.table().get(key);
        if (key.startsWith("X-") && directive == null) {
            return true;   // an extension nobody here knows: ignored silently, as systemd does (sockact's own are in the table)
        }
        if (directive == null) {
            warn(file, line, section, key, "Unknown key '" + key + "' in section [" + section + "], ignoring.");
            return true;
        }
        switch (directive.support()) {
            case UNSUPPORTED -> {
                reportUnsupported(file, line, section, key);
                return true;
            }
            case PARSED_NOT_ACTED_ON -> reportUnsupported(file, line, section, key);   // and parsed, below
            case NOT_IN_SYSTEMD_252 -> report(file, line, section, key, Severity.WARNING, Origin.SOCKACT,
                    directive.portabilityNote());
            case REFUSED -> {
                // Never silently weaker: a unit that asks for what sockact cannot do does not load.
                report(file, line, section, key, Severity.ERROR, Origin.SOCKACT, key + "= is not supported by"
                        + " sockact (" + directive.portabilityNote() + "), refusing to load the unit.");
                return false;
            }
            case HONOURED -> { }
        }
        ParseContext context = new ParseContext(unit, specifiers, key);
        InvalidValueException failure = null;
        try {
            binding.apply(builder, directive, assignment.value(), context);
        } catch (InvalidValueException e) {
            failure = e;
        }
        for (ParseContext.Note note : context.notes()) {
            report(file, line, section, key, Severity.WARNING, note.sockactOnly() ? Origin.SOCKACT : Origin.SYSTEMD,
                    note.message());
        }
        if (failure != null) {
            report(file, line, section, key, failure.isFatal() ? Severity.ERROR : Severity.WARNING, Origin.SYSTEMD,
                    failure.getMessage());
            return !failure.isFatal();
        }
        return true;
    }

    private void reportUnsupported(Path file, int line, String section, String key) {
        if (reportedUnsupported.add(section + "/" + key)) {
            report(file, line, section, key, Severity.WARNING, Origin.SOCKACT,
                    key + "= in section [" + section + "] is not supported by sockact, ignoring.");
        }
    }

    private void warn(Path file, int line, String section, String key, String message) {
        report(file, line, section, key, Severity.WARNING, Origin.SYSTEMD, message);
    }

    private void report(Path file, int line, String section, String key, Severity severity, Origin origin,
                        String message) {
        diagnostics.accept(new Diagnostic(file, line, unit.toString(), section, key, severity, origin, message));
    }
}
