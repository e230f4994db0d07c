package dev.sockact.daemon;

import dev.sockact.activation.ListenEnvironment;
import dev.sockact.posix.Fd;
import dev.sockact.unit.ExecCommand;

import java.util.List;
import java.util.Map;

/**
 * A plain service's main process as a spawn ahead of its start gives it ({@link ServiceRuntime#spawnAhead}), and a
 * {@link Standby} is made from: the context, the command, the hosting decision, and the descriptors with their
 * names.
 */
record AheadSpawn(ExecSpawner.Context context, ExecCommand command, HostingPlan.Decision plan, List<Fd> fds,
                  List<String> names) {
    AheadSpawn {
        fds = List.copyOf(fds);
        names = List.copyOf(names);
    }

    /** LISTEN_FDS and LISTEN_FDNAMES for {@link #fds}. */
    Map<String, String> listenVariables() {
        return ListenEnvironment.variables(fds.size(), names);
    }

    /**
     * Whether {@code other} is the same spawn: the same objects (a context is remade when the definition or the
     * manager environment changes) and the same descriptors with the same names.
     */
    boolean sameAs(AheadSpawn other) {
        return context == other.context && command == other.command && Fd.sameObjects(fds, other.fds)
                && names.equals(other.names);
    }
}
