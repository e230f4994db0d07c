package dev.sockact.ctl;

import java.util.List;

/** The files a unit was loaded from (the fragment, empty when none, and the drop-ins); not found: no files. */
public record UnitFiles(String unit, boolean found, String fragmentPath, List<String> dropInPaths) {
    public UnitFiles {
        dropInPaths = List.copyOf(dropInPaths);
    }

    public static UnitFiles notFound(String unit) {
        return new UnitFiles(unit, false, "", List.of());
    }
}
