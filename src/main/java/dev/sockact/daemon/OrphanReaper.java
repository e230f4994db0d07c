package dev.sockact.daemon;

import dev.sockact.event.EventLoop;
import dev.sockact.posix.ErrnoException;
import dev.sockact.posix.Pidfd;
import dev.sockact.posix.Processes;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * sockactd as a child subreaper: a daemon that forks and lets its parent exit (Type=forking) is reparented to us,
 * so its exit can be watched through a pidfd; every other orphan that ends up here must be reaped by us, or it
 * stays a zombie. Every {@link #SWEEP_NANOS} the children of this process that nobody watches (no pidfd open for
 * them, see {@link Pidfd#watched}) and that have exited are reaped. Watched children are left to their watcher,
 * which reads their exit status. As PID 1 of a PID namespace (a container's entry point), every process of the
 * namespace whose parent exits is re-parented to us, and reaped here the same way.
 */
final class OrphanReaper {
    private static final System.Logger LOG = System.getLogger("sockactd");
    static final long SWEEP_NANOS = 1_000_000_000L;
    /** Bound on the children looked at per sweep. */
    private static final int MAX_PER_SWEEP = 4096;

    /** Sweeps skipped in a row because a spawn was in flight, before one waits for it. */
    static final int MAX_SKIPPED_SWEEPS = 3;

    private final EventLoop loop;
    private final SpawnPool spawns;
    private int skippedSweeps;

    private OrphanReaper(EventLoop loop, SpawnPool spawns) {
        this.loop = loop;
        this.spawns = spawns;
    }

    /** Makes this process a subreaper and starts sweeping; logs and does nothing where the kernel refuses. */
    static void install(EventLoop loop, SpawnPool spawns) {
        try {
            Processes.becomeChildSubreaper();
        } catch (ErrnoException e) {
            LOG.log(Level.WARNING, "Failed to become a child subreaper, Type=forking services that daemonize are"
                    + " not watched: " + e.reason());
            return;
        }
        new OrphanReaper(loop, spawns).schedule();
    }

    private void schedule() {
        loop.schedule(SWEEP_NANOS, () -> {
            sweep();
            schedule();
        });
    }

    /**
     * Reaps what nobody watches; skipped while a spawn is in flight (its child is not watched yet), until next time.
     * An Accept=yes socket taking connections all the time always has a spawn in flight, and as PID 1 of a container
     * every orphan of the container is ours: after {@link #MAX_SKIPPED_SWEEPS} skipped sweeps the sweep waits for
     * the spawns in flight (a few milliseconds), so zombies never pile up.
     */
    void sweep() {
        if (spawns.tryWhenNoneInFlight(this::reapUnwatched)) {
            skippedSweeps = 0;
        } else if (++skippedSweeps >= MAX_SKIPPED_SWEEPS) {
            spawns.whenNoneInFlight(() -> {
                reapUnwatched();
                return null;
            });
            skippedSweeps = 0;
        }
    }

    private void reapUnwatched() {
        for (int pid : children()) {
            if (!Pidfd.watched(pid) && zombie(pid) && Processes.reap(pid)) {
                LOG.log(Level.DEBUG, () -> "Reaped orphaned process " + pid + ".");
            }
        }
    }

    /** Our children, from /proc/self/task/TID/children (every thread's: a child belongs to the thread that forked). */
    static List<Integer> children() {
        List<Integer> out = new ArrayList<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path task : tasks) {
                String text;
                try {
                    text = Files.readString(task.resolve("children"));
                } catch (IOException e) {
                    continue;   // the thread ended meanwhile
                }
                for (String pid : text.trim().split("\\s+")) {
                    if (!pid.isEmpty() && out.size() < MAX_PER_SWEEP) {
                        out.add(Integer.parseInt(pid));
                    }
                }
            }
        } catch (IOException | NumberFormatException e) {
            LOG.log(Level.DEBUG, () -> "Failed to list our children: " + e);
        }
        return out;
    }

    private static boolean zombie(int pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            int close = stat.lastIndexOf(')');
            return close > 0 && close + 2 < stat.length() && stat.charAt(close + 2) == 'Z';
        } catch (IOException e) {
            return false;
        }
    }
}
