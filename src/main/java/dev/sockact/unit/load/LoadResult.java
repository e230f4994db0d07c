package dev.sockact.unit.load;

import dev.sockact.unit.Diagnostic;

import java.util.List;
import java.util.Optional;

/**
 * The outcome of loading one unit: the unit when it loaded, and every diagnostic in the order systemd gives them.
 *
 * @param unit {@code null} unless {@code state} is {@link LoadState#LOADED}
 */
public record LoadResult<T>(String name, LoadState state, T unit, List<Diagnostic> diagnostics) {

    public LoadResult {
        diagnostics = List.copyOf(diagnostics);
    }

    public boolean loaded() {
        return state == LoadState.LOADED;
    }

    public Optional<T> unitIfLoaded() {
        return Optional.ofNullable(unit);
    }
}
