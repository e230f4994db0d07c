package dev.sockact.daemon;

import dev.sockact.activation.Program;
import dev.sockact.event.EventLoop;
import dev.sockact.posix.Errno;
import dev.sockact.posix.ErrnoException;
import dev.sockact.posix.ExitStatus;
import dev.sockact.posix.Fd;
import dev.sockact.posix.Pidfd;
import dev.sockact.posix.PosixFiles;
import dev.sockact.posix.SpawnRequest;
import dev.sockact.posix.SpawnServer;
import dev.sockact.posix.StandbyProgram;
import dev.sockact.unit.ExecCommand;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Starts one Exec*= command: {@code $VAR}/{@code ${VAR}} expanded against the unit's environment (unless the
 * {@code :} prefix), the executable looked up in PATH, User=/Group= and the process settings applied through the
 * prefix and thread {@link ProcessSetup} gives (tools that exec the command in place, so the pid and LISTEN_PID
 * stay right), the child in a process group of its own, inside the service's namespaces when it has any
 * (PrivateNetwork=, PrivateTmp=; see {@link ServiceNamespaces}).
 */
final class ExecSpawner {
    private ExecSpawner() {
        throw new AssertionError();
    }

    /**
     * What every command of a unit shares.
     *
     * @param environment      NAME to value, in order
     * @param credentials      argv prefix switching user (setpriv ...), or empty
     * @param workingDirectory chdir there, or null
     * @param namespaces       what the commands run in (PrivateNetwork=, PrivateTmp=)
     * @param process          limits, scheduling and the rest of the process settings ({@link ProcessSetup})
     */
    record Context(String unit, Map<String, String> environment, List<String> credentials, String workingDirectory,
                   ServiceNamespaces namespaces, ProcessSetup process) {
        Context {
            environment = Collections.unmodifiableMap(new LinkedHashMap<>(environment));
            credentials = List.copyOf(credentials);
            Objects.requireNonNull(namespaces, "namespaces");
            Objects.requireNonNull(process, "process");
        }

        /** Commands that run in the host's namespaces, with sockactd's own process settings. */
        Context(String unit, Map<String, String> environment, List<String> credentials, String workingDirectory) {
            this(unit, environment, credentials, workingDirectory, ServiceNamespaces.NONE, ProcessSetup.NONE);
        }
    }

    /** One command's descriptors: fds at 3.., and stdio (null inherits sockactd's). */
    record Stdio(List<Fd> fds, Fd stdin, Fd stdout, Fd stderr) {
        static final Stdio NONE = new Stdio(List.of(), null, null, null);
    }

    record Spawned(Child child, Pidfd pidfd) {
    }

    /**
     * Spawns {@code command} and calls {@code onExit} on the loop when it exits. An exec failure is logged as
     * systemd's child logs it and reported, as that child's exit would be, as status 203/EXEC (posix_spawn tells
     * us synchronously; the report still comes through the loop, so callers see one path).
     */
    static Child start(EventLoop loop, ExecCommand command, Context context, Stdio stdio,
                       Map<String, String> extra, BiConsumer<Child, ExitStatus> onExit) {
        try {
            Spawned spawned = launch(prepare(command, context, stdio, extra), context);
            Child child = spawned.child();
            loop.watchExit(spawned.pidfd(), status -> onExit.accept(child, status));
            return child;
        } catch (IOException e) {
            return failed(loop, command, onExit, failedStep(context, command, e));
        }
    }

    /**
     * {@link #start}, with the spawn itself left to {@code pool} (the spawn server, or a thread) so that the loop
     * does not wait for the child to exec (Accept=yes). The child is returned pending; once spawned (or failed), on
     * the loop, it gets its pid, its exit is watched, and {@code afterSpawn} runs: only then may the caller close the
     * descriptors passed in {@code stdio}. What can be refused without spawning (an empty command line, a missing
     * program) is refused here, as {@link #start} refuses it.
     */
    static Child startInBackground(EventLoop loop, SpawnPool pool, ExecCommand command,
                                   Context context, Stdio stdio, Map<String, String> extra,
                                   BiConsumer<Child, ExitStatus> onExit,
                                   Consumer<Child> afterSpawn) {
        Launch launch;
        try {
            launch = prepare(command, context, stdio, extra);
        } catch (IOException e) {
            Child child = failed(loop, command, onExit, failedStep(context, command, e));
            afterSpawn.accept(child);
            return child;
        }
        Child child = Child.pending(launch.name());
        BiConsumer<Spawned, IOException> done = (spawned, failure) -> loop.execute(() ->
                spawnedInBackground(loop, command, context, onExit, afterSpawn, child, spawned, failure));
        boolean sent = context.namespaces().spawnsLikeTheDaemon(launch.task())
                && pool.submitToServer(launch.request(), reply(launch, done));
        if (!sent) {
            pool.submit(() -> launch(launch, context), done);
        }
        return child;
    }

    /**
     * A standby of {@code command} ({@link Standby}): the spawn of {@code command}, through the spawn server, of
     * the standby program ({@link StandbyProgram#wrap}), which execs it when a byte comes on {@code go}. Null, with
     * nothing spawned, where only a spawn at the trigger can do it: no standby program or spawn server, a request
     * the server does not take, a command {@link #prepare} refuses, namespaces to enter. A standby whose spawn
     * fails is ended (203/EXEC) without a word: the spawn at the trigger reports the cause.
     */
    static Child startStandby(EventLoop loop, SpawnPool pool, ExecCommand command, Context context, Stdio stdio,
                              Map<String, String> extra, Fd go, BiConsumer<Child, ExitStatus> onExit,
                              Consumer<Child> afterSpawn) {
        Launch launch;
        try {
            launch = prepare(command, context, stdio, extra);
        } catch (IOException e) {
            return null;
        }
        SpawnRequest standby = StandbyProgram.wrap(launch.request(), go);
        if (standby == null || !context.namespaces().spawnsLikeTheDaemon(launch.task())) {
            return null;
        }
        Child child = Child.pending(launch.name());
        BiConsumer<Spawned, IOException> done = (spawned, failure) -> loop.execute(() -> {
            if (failure == null) {
                spawnedInBackground(loop, command, context, onExit, afterSpawn, child, spawned, null);
                return;
            }
            child.markExited();
            afterSpawn.accept(child);
            onExit.accept(child, ExitStatus.exited(0, ExitStatuses.EXIT_EXEC));
        });
        return pool.submitToServer(standby, reply(launch, done)) ? child : null;
    }

    /** What the spawn server's reply to {@code launch} does: the child and its pidfd, or the failure, to {@code done}. */
    private static SpawnServer.Reply reply(Launch launch, BiConsumer<Spawned, IOException> done) {
        return new SpawnServer.Reply() {
            @Override
            public void spawned(int pid) {
                Pidfd pidfd;
                try {
                    pidfd = Pidfd.open(pid);
                } catch (ErrnoException e) {
                    done.accept(null, e);   // as launch() reports it; the reaper collects the child
                    return;
                }
                done.accept(new Spawned(new Child(pid, launch.name()), pidfd), null);
            }

            @Override
            public void failed(ErrnoException e) {
                done.accept(null, e);
            }
        };
    }

    /**
     * A standby's exec failed with {@code errno} ({@link Standby}): logged as a spawn's failed exec is, and the
     * exit status systemd's child reports for it (203/EXEC).
     */
    static int execFailed(Context context, ExecCommand command, int errno) {
        return failedStep(context, command, new ErrnoException("execve", errno, command.path()));
    }

    /** On the loop: a background spawn's outcome given to its pending child, whose exit is watched from now on. */
    private static void spawnedInBackground(EventLoop loop, ExecCommand command, Context context,
                                            BiConsumer<Child, ExitStatus> onExit, Consumer<Child> afterSpawn,
                                            Child child, Spawned spawned, IOException failure) {
        if (failure != null) {
            child.markExited();
            int status = failedStep(context, command, failure);
            afterSpawn.accept(child);
            onExit.accept(child, ExitStatus.exited(0, status));
            return;
        }
        child.started(spawned.child().pid());
        afterSpawn.accept(child);
        try {
            loop.watchExit(spawned.pidfd(), status -> onExit.accept(child, status));
        } catch (ErrnoException e) {
            // epoll refused the pidfd (out of memory): reported as start() reports it; the reaper collects it.
            spawned.pidfd().close();
            child.markExited();
            onExit.accept(child, ExitStatus.exited(0, failedStep(context, command, e)));
        }
    }

    /** Logs a failed spawn as systemd's child logs it; the exit status that child would have had. */
    private static int failedStep(Context context, ExecCommand command, IOException e) {
        if (e instanceof ExecStepException step) {
            // Entering the service's namespaces failed: systemd's child would exit with 225/NETWORK or 226/NAMESPACE.
            System.getLogger("sockactd").log(System.Logger.Level.ERROR, context.unit() + ": Failed at step "
                    + step.step() + " spawning " + command.path() + ": " + e.getMessage());
            return step.step().exitStatus;
        }
        String reason = e instanceof ErrnoException errno ? errno.reason() : e.getMessage();
        System.getLogger("sockactd").log(System.Logger.Level.ERROR, context.unit() + ": Failed at step EXEC spawning "
                + command.path() + ": " + reason);
        return ExitStatuses.EXIT_EXEC;
    }

    /**
     * The stand-in for a command that could not be started: already exited, and its 203/EXEC status (what
     * systemd's child reports when exec fails) delivered on the loop like any exit.
     */
    static Child failed(EventLoop loop, ExecCommand command,
                        BiConsumer<Child, ExitStatus> onExit) {
        return failed(loop, command, onExit, ExitStatuses.EXIT_EXEC);
    }

    static Child failed(EventLoop loop, ExecCommand command,
                       BiConsumer<Child, ExitStatus> onExit, int status) {
        Child child = new Child(0, command.path());
        child.markExited();
        loop.execute(() -> onExit.accept(child, ExitStatus.exited(0, status)));
        return child;
    }

    /**
     * A command ready to spawn: everything that can be refused without spawning has been checked.
     *
     * @param task what the spawning thread takes on first
     */
    record Launch(SpawnRequest request, String name, TaskSettings task) {
    }

    /** Spawns; safe on any thread (the descriptors in the request must stay open until it returns). */
    static Spawned launch(Launch launch, Context context) throws IOException {
        int pid = context.namespaces().spawn(launch.request(), launch.task());
        Pidfd pidfd = Pidfd.open(pid);
        return new Spawned(new Child(pid, launch.name()), pidfd);
    }

    /** The last launch {@link #prepare} made that a later call may give again, and what it was made from. */
    private record KeptLaunch(ExecCommand command, Context context, Map<String, String> extra, List<Fd> fds,
                              Launch launch) {
        boolean madeFrom(ExecCommand command, Context context, Map<String, String> extra, List<Fd> fds) {
            return command == this.command && context == this.context && extra.equals(this.extra)
                    && Fd.sameObjects(fds, this.fds);
        }
    }

    private static volatile KeptLaunch keptLaunch;

    /**
     * The launch of {@code command}. With an absolute program and no wrapper, no file is looked at: the launch is
     * made from the command, the context and the extra environment alone, all immutable, and the one made last is
     * given again, with the new stdio, for the same command, context (the same object), extra environment and
     * passed fds (a plain service spawned again by its socket with a kept context, {@link
     * ServiceRuntime#spawnAhead}). Making it was a sixth of the daemon's path from a trigger to the spawn request.
     */
    static Launch prepare(ExecCommand command, Context context, Stdio stdio, Map<String, String> extraEnvironment)
            throws IOException {
        KeptLaunch kept = keptLaunch;
        if (kept != null && kept.madeFrom(command, context, extraEnvironment, stdio.fds())) {
            Launch launch = kept.launch();
            return new Launch(launch.request().withStdio(stdio.stdin(), stdio.stdout(), stdio.stderr()), launch.name(),
                    launch.task());
        }
        Map<String, String> environment = new LinkedHashMap<>(context.environment());
        environment.putAll(extraEnvironment);
        List<String> argv = command.flags().contains(ExecCommand.Flag.NO_ENV_EXPAND) ? command.argv()
                : expand(command.argv(), environment);
        if (argv.isEmpty()) {
            throw new IOException("Command line of " + command.path() + " is empty after variable expansion");
        }
        String path = command.path().startsWith("/") ? command.path()
                : Program.resolve(List.of(command.path()), environment.get("PATH")).path();
        boolean privileged = command.flags().contains(ExecCommand.Flag.FULL_PRIVILEGES);
        List<String> wrappers = new ArrayList<>(context.process().prefix());
        if (!privileged) {
            wrappers.addAll(context.credentials());
        }
        List<String> fullArgv = new ArrayList<>(wrappers);
        String program = wrappers.isEmpty() ? path : wrappers.getFirst();
        if (wrappers.isEmpty()) {
            fullArgv.addAll(argv);
        } else {
            // The wrappers take the program path; argv[0] is lost, as with any exec wrapper.
            fullArgv.add(path);
            fullArgv.addAll(argv.subList(1, argv.size()));
        }
        List<String> env = new ArrayList<>();
        environment.forEach((k, v) -> env.add(k + "=" + v));
        SpawnRequest.Builder request = SpawnRequest.of(program, fullArgv).environment(env).passFds(stdio.fds())
                .setListenPid(!stdio.fds().isEmpty()).newProcessGroup(true)
                .stdin(stdio.stdin()).stdout(stdio.stdout()).stderr(stdio.stderr());
        if (context.workingDirectory() != null) {
            request.workingDirectory(context.workingDirectory());
        }
        // Through a wrapper, a missing program would be the wrapper's exit status 127: check first, so that it is
        // reported as the exec failure it is (203/EXEC). The LISTEN_PID trampoline's case is checked where it is
        // used (Spawner); the spawn server's child execs the program itself and reports the errno.
        Errno refused = wrappers.isEmpty() ? null : PosixFiles.execRefusal(path);
        if (refused != null) {
            throw new ErrnoException("execve", refused.number(), path);
        }
        Launch launch = new Launch(request.build(), Path.of(path).getFileName().toString(),
                context.process().task().forCommand(privileged));
        if (wrappers.isEmpty() && command.path().startsWith("/")) {
            keptLaunch = new KeptLaunch(command, context, new LinkedHashMap<>(extraEnvironment),
                    List.copyOf(stdio.fds()), launch);
        }
        return launch;
    }

    /**
     * systemd's replace_env_argv(): a word that is exactly {@code $NAME} becomes the value split at whitespace
     * (no words when unset); {@code ${NAME}} inside a word is replaced by the value (empty when unset).
     */
    static List<String> expand(List<String> argv, Map<String, String> environment) {
        List<String> result = new ArrayList<>();
        for (String word : argv) {
            if (word.length() > 1 && word.charAt(0) == '$' && isName(word.substring(1))) {
                String value = environment.get(word.substring(1));
                if (value != null) {
                    for (String part : value.strip().split("\\s+")) {
                        if (!part.isEmpty()) {
                            result.add(part);
                        }
                    }
                }
                continue;
            }
            StringBuilder out = new StringBuilder();
            int i = 0;
            while (i < word.length()) {
                int start = word.indexOf("${", i);
                int end = start < 0 ? -1 : word.indexOf('}', start + 2);
                if (start < 0 || end < 0) {
                    out.append(word, i, word.length());
                    break;
                }
                out.append(word, i, start);
                String name = word.substring(start + 2, end);
                if (isName(name)) {
                    out.append(environment.getOrDefault(name, ""));
                } else {
                    out.append(word, start, end + 1);
                }
                i = end + 1;
            }
            result.add(out.toString());
        }
        return result;
    }

    private static boolean isName(String s) {
        if (s.isEmpty() || Character.isDigit(s.charAt(0))) {
            return false;
        }
        return s.chars().allMatch(c -> c == '_' || (c < 128 && Character.isLetterOrDigit(c)));
    }
}
