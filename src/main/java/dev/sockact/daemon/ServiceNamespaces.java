package dev.sockact.daemon;

import dev.sockact.posix.Namespaces;
import dev.sockact.posix.SpawnRequest;
import dev.sockact.posix.Spawner;

import java.io.IOException;

/**
 * The namespaces one service's commands run in (PrivateNetwork=, PrivateTmp=), either of them null when not
 * asked for; {@link #NONE} is the host's. {@link SharedNamespaces} owns them.
 */
record ServiceNamespaces(NetworkNamespace network, PrivateTmp tmp) {
    static final ServiceNamespaces NONE = new ServiceNamespaces(null, null);

    /**
     * posix_spawn from a thread that has entered the namespaces and taken on {@code task} first: the child is a
     * copy of the calling task, namespaces, nice level and the rest included. The thread ends after the spawn, and
     * with it its namespaces and settings; sockactd's own threads never leave the host's. A command that needs
     * neither goes through the spawn server, when it runs ({@link Spawner#spawn}).
     */
    int spawn(SpawnRequest request, TaskSettings task) throws IOException {
        if (spawnsLikeTheDaemon(task)) {
            return Spawner.spawn(request);
        }
        return NamespaceThread.run("sockactd-spawn", () -> {
            if (network != null) {
                try {
                    Namespaces.setns(network.fd(), Namespaces.CLONE_NEWNET);
                } catch (IOException e) {
                    throw new ExecStepException(ExecStepException.Step.NETWORK, e.getMessage(), e);
                }
            }
            if (tmp != null) {
                try {
                    // setns(CLONE_NEWNS) refuses (EINVAL) a thread that shares its root and working directory
                    // with the others, as every JVM thread does: unshare that first.
                    Namespaces.unshare(Namespaces.CLONE_FS);
                    Namespaces.setns(tmp.fd(), Namespaces.CLONE_NEWNS);
                } catch (IOException e) {
                    throw new ExecStepException(ExecStepException.Step.NAMESPACE, e.getMessage(), e);
                }
            }
            task.applyToCallingThread();
            return Spawner.spawnHere(request);
        });
    }

    /**
     * Whether a command with {@code task} runs as sockactd's own threads would spawn it: in the host's namespaces,
     * with no per-task settings; only such a command may be spawned by the spawn server.
     */
    boolean spawnsLikeTheDaemon(TaskSettings task) {
        return network == null && tmp == null && task.isEmpty();
    }
}
