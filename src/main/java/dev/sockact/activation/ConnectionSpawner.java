package dev.sockact.activation;

import dev.sockact.posix.ErrnoException;
import dev.sockact.posix.Fd;
import dev.sockact.posix.SpawnRequest;
import dev.sockact.posix.Spawner;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts one child for one accepted connection (Accept=yes, socket-activate -a).
 * The connection is fd 3 with LISTEN_FDS=1, or with inetd-style passing it is
 * stdin and stdout and no LISTEN_* is set.
 */
public final class ConnectionSpawner {
    private final Program program;
    private final List<String> environment;
    private final boolean inetd;
    private final List<String> fdNames;

    /**
     * @param environment the child's environment without LISTEN_* (added here)
     * @param fdNames     LISTEN_FDNAMES for the connection, or empty for none
     */
    public ConnectionSpawner(Program program, List<String> environment, boolean inetd, List<String> fdNames) {
        this.program = program;
        this.environment = List.copyOf(environment);
        this.inetd = inetd;
        this.fdNames = List.copyOf(fdNames);
    }

    /** Starts the child with {@code connection} (and {@code extraEnvironment}); returns its pid. */
    public int spawn(Fd connection, List<String> extraEnvironment) throws ErrnoException {
        SpawnRequest.Builder request = SpawnRequest.of(program.path(), program.argv());
        List<String> env = new ArrayList<>(environment);
        env.addAll(extraEnvironment);
        if (inetd) {
            request.stdin(connection).stdout(connection).environment(env);
        } else {
            request.passFds(List.of(connection)).setListenPid(true)
                    .environment(ListenEnvironment.withListenFds(env, 1, fdNames));
        }
        return Spawner.spawn(request.build());
    }

    public Program program() {
        return program;
    }
}
