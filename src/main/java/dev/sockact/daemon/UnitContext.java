package dev.sockact.daemon;

import dev.sockact.activation.ConnectionAcceptor;
import dev.sockact.event.EventLoop;
import dev.sockact.event.Timer;
import dev.sockact.event.Watch;
import dev.sockact.posix.ErrnoException;
import dev.sockact.posix.ExitStatus;
import dev.sockact.posix.Fd;
import dev.sockact.unit.ExecCommand;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * What a unit's state machine ({@link SocketRuntime}, {@link ServiceRuntime}) needs of the manager around it:
 * timers and fd watches on the loop, spawning its commands, the environment they get, the namespaces they share,
 * starting a job for another unit, Accept=yes instances, and the notification after every state change. The
 * {@link Manager} provides it; a test provides its own and drives a machine through every state without a process.
 */
interface UnitContext {
    /** Runs {@code task} on the loop after {@code nanos}. */
    Timer schedule(long nanos, Runnable task);

    /** Watches {@code fd} on the loop; the watch must be cancelled before the fd is closed. */
    Watch watch(int fd, int interest, EventLoop.IoHandler handler) throws ErrnoException;

    /**
     * The loop, for what hands it on unchanged (a StandardOutput= log's pipe, see {@link ServiceStdio}); the state
     * machines themselves go through the other methods.
     */
    EventLoop loop();

    /** Where the units' output and log lines are kept (StandardOutput=journal). */
    UnitJournal journal();

    /** Spawns {@code command} (see {@link ExecSpawner#start}); {@code onExit} runs on the loop when it exits. */
    Child spawn(ExecCommand command, ExecSpawner.Context context, ExecSpawner.Stdio stdio, Map<String, String> extra,
                BiConsumer<Child, ExitStatus> onExit);

    /** Spawns {@code command} off the loop (see {@link ExecSpawner#startInBackground}). */
    Child spawnInBackground(ExecCommand command, ExecSpawner.Context context, ExecSpawner.Stdio stdio,
                            Map<String, String> extra, BiConsumer<Child, ExitStatus> onExit,
                            Consumer<Child> afterSpawn);

    /**
     * Spawns a standby of {@code command} ({@link Standby}, {@link ExecSpawner#startStandby}): ready but for its
     * exec, which a byte on {@code go} starts. Null where it cannot be made.
     */
    Child spawnStandby(ExecCommand command, ExecSpawner.Context context, ExecSpawner.Stdio stdio,
                       Map<String, String> extra, Fd go, BiConsumer<Child, ExitStatus> onExit,
                       Consumer<Child> afterSpawn);

    /** The bound on standbys, shared by every service. */
    StandbySlots standbySlots();

    /** A command that could not be started: already exited, its 203/EXEC status delivered on the loop. */
    Child spawnFailed(ExecCommand command, BiConsumer<Child, ExitStatus> onExit);

    /** Children reparented to sockactd that nobody watches, once no spawn is in flight (Type=forking). */
    List<Integer> unwatchedChildren();

    /** The environment every command starts from. */
    Map<String, String> managerEnvironment();

    /** Whether this is the per-user manager (--user). */
    boolean userManager();

    /** A fresh path for a service's NOTIFY_SOCKET. */
    Path notifySocketPath();

    /** The PrivateNetwork=/PrivateTmp= namespaces services share (JoinsNamespaceOf=). */
    SharedNamespaces namespaces();

    /** The threads hosted socket-proxyd services run on. */
    HostedThreads hostedThreads();

    /** Whether sockactd is shutting down: nothing starts any more. */
    boolean shuttingDown();

    /** Queues a start job for {@code unit} (a socket's trigger, an Accept=yes instance). */
    void startJob(ManagedUnit unit);

    /** Whether a {@link #startJob} for {@code unit} now would run its start at once ({@link Jobs#startRunsAtOnce}). */
    boolean startRunsAtOnce(ManagedUnit unit);

    /**
     * Accept=yes: loads {@code instanceName} as a transient service for {@code connection}, registered until it
     * ends; null (diagnostics logged) when it does not load.
     */
    ServiceRuntime loadInstance(SocketRuntime socket, String instanceName, ConnectionAcceptor.Connection connection);

    /** An Accept=yes instance ended: it is forgotten. */
    void instanceEnded(ServiceRuntime instance);

    /** Called after every state change of a unit (and after a request that changed nothing). */
    void unitChanged();
}
