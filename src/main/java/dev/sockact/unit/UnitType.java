package dev.sockact.unit;

import java.util.Optional;

/** The unit types sockact reads. */
public enum UnitType {
    SOCKET("socket"),
    SERVICE("service");

    private final String suffix;

    UnitType(String suffix) {
        this.suffix = suffix;
    }

    /** The file suffix without the dot, e.g. {@code socket}. */
    public String suffix() {
        return suffix;
    }

    public static Optional<UnitType> fromSuffix(String suffix) {
        for (UnitType type : values()) {
            if (type.suffix.equals(suffix)) {
                return Optional.of(type);
            }
        }
        return Optional.empty();
    }
}
