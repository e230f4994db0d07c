package dev.sockact.ctl;

import java.util.List;

/**
 * A unit as {@code sockctl show} prints it: {@code Key=value} properties in systemctl show's order, a property that
 * repeats ({@code Listen}, {@code ExecStart}) once per value, its values next to each other.
 */
public record ShownUnit(String unit, List<Property> properties) {
    public ShownUnit {
        properties = List.copyOf(properties);
    }

    public record Property(String name, String value) {
    }

    /** Whether the unit's LoadState= says it was not found. */
    public boolean notFound() {
        return properties.contains(new Property("LoadState", "not-found"));
    }
}
