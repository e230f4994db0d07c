package dev.sockact.unit.parse;

import dev.sockact.unit.ServiceUnit;
import dev.sockact.unit.SocketUnit;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The sections a unit type allows (systemd's {@code vtable->sections}) and where each section's values go.
 *
 * @param <B> the unit's builder
 */
public final class UnitSchema<B> {

    /** A section table and how to reach its target from the unit builder. */
    public record Binding<B, T>(DirectiveTable<T> table, Function<B, T> target) {

        void apply(B builder, DirectiveTable.Directive<?> directive, String value, ParseContext context)
                throws InvalidValueException {
            @SuppressWarnings("unchecked")
            DirectiveTable.Directive<T> typed = (DirectiveTable.Directive<T>) directive;
            typed.handler().apply(target.apply(builder), value, context);
        }
    }

    public static final UnitSchema<SocketUnit.Builder> SOCKET = new UnitSchema<SocketUnit.Builder>()
            .with(UnitSectionDirectives.UNIT, SocketUnit.Builder::unit)
            .with(SocketDirectives.SOCKET, Function.identity())
            .with(UnitSectionDirectives.INSTALL, SocketUnit.Builder::unit);

    public static final UnitSchema<ServiceUnit.Builder> SERVICE = new UnitSchema<ServiceUnit.Builder>()
            .with(UnitSectionDirectives.UNIT, ServiceUnit.Builder::unit)
            .with(ServiceDirectives.SERVICE, Function.identity())
            .with(UnitSectionDirectives.INSTALL, ServiceUnit.Builder::unit);

    private final Map<String, Binding<B, ?>> sections = new LinkedHashMap<>();

    private UnitSchema() {
    }

    private <T> UnitSchema<B> with(DirectiveTable<T> table, Function<B, T> target) {
        sections.put(table.section(), new Binding<>(table, target));
        return this;
    }

    public Binding<B, ?> section(String name) {
        return sections.get(name);
    }

    public Set<String> sectionNames() {
        return sections.keySet();
    }
}
