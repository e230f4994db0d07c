package dev.sockact.daemon;

import dev.sockact.activation.ConnectionAcceptor;
import dev.sockact.event.EventLoop;
import dev.sockact.event.Timer;
import dev.sockact.event.Watch;
import dev.sockact.posix.ErrnoException;
import dev.sockact.posix.ExitStatus;
import dev.sockact.posix.Fd;
import dev.sockact.posix.Signals;
import dev.sockact.unit.ExecCommand;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * A {@link UnitContext} of our own for the state-machine tests: nothing is spawned (a command is a {@link Child}
 * with a made-up pid that lives until the test makes it exit), timers and fd watches are kept on a real
 * {@link EventLoop} that never runs, and fired by the test. Every side effect is recorded as a line:
 * {@code spawn NAME}, {@code kill TERM NAME} (its whole process group: {@code killpg TERM NAME}), {@code timer 90s},
 * {@code job UNIT}.
 */
final class FakeUnitContext implements UnitContext, AutoCloseable {
    private record Scheduled(Timer timer, long nanos, Runnable task) {
    }

    private record HandlerEntry(Watch watch, EventLoop.IoHandler handler) {
    }

    /** A command "running": its child, what it was, and who hears of its exit. */
    record Process(Child child, String command, BiConsumer<Child, ExitStatus> onExit) {
    }

    private final EventLoop loop;
    private final UnitJournal journal = new UnitJournal();
    private final Path runtime;
    private final List<String> effects = new ArrayList<>();
    private final List<Scheduled> timers = new ArrayList<>();
    private final List<HandlerEntry> watches = new ArrayList<>();
    private final Map<Integer, Process> processes = new LinkedHashMap<>();
    private final Set<Integer> alive = new HashSet<>();
    private final SharedNamespaces namespaces = new SharedNamespaces();
    private final HostedThreads hostedThreads = new HostedThreads();
    private final StandbySlots standbySlots = new StandbySlots(8);
    private int nextPid = 10_000;
    private int notifyIds;
    private boolean shuttingDown;
    private boolean holdJobs;
    private boolean userManager = true;
    private Map<String, String> managerEnvironment = Map.of("PATH", "/usr/bin:/bin");
    private ExecSpawner.Context lastContext;
    /** Run after every state change (a test injects an event into a state that is left at once). */
    private Runnable onChange = () -> { };

    FakeUnitContext(Path runtime) throws ErrnoException {
        this.loop = EventLoop.create();
        this.runtime = runtime;
    }

    /** The side effects since the last call, and forgets them. */
    List<String> takeEffects() {
        List<String> taken = List.copyOf(effects);
        effects.clear();
        return taken;
    }

    void onChange(Runnable hook) {
        this.onChange = hook;
    }

    void shuttingDown(boolean value) {
        this.shuttingDown = value;
    }

    /** A system manager's context from now on (a user manager's by default). */
    void systemManager() {
        this.userManager = false;
    }

    void managerEnvironment(Map<String, String> environment) {
        this.managerEnvironment = Map.copyOf(environment);
    }

    /** The context of the last command spawned. */
    ExecSpawner.Context lastContext() {
        return lastContext;
    }

    /** The running commands, oldest first. */
    List<Process> running() {
        return processes.values().stream().filter(p -> alive.contains(p.child().pid())).toList();
    }

    /** {@code process} exits with {@code code}. */
    void exit(Process process, int code) {
        alive.remove(process.child().pid());
        process.onExit().accept(process.child(), ExitStatus.exited(process.child().pid(), code));
    }

    /** Fires every timer still armed whose delay is at least {@code minNanos}; false if there was none. */
    boolean fireTimers(long minNanos) {
        boolean fired = false;
        for (Scheduled s : List.copyOf(timers)) {
            if (!s.timer().isCancelled() && s.nanos() >= minNanos) {
                timers.remove(s);
                s.timer().cancel();
                s.task().run();
                fired = true;
            }
        }
        return fired;
    }

    /** Tells every live watch its fd is ready with {@code events}; false if none is watched. */
    boolean ready(int events) throws Exception {
        boolean any = false;
        for (HandlerEntry w : List.copyOf(watches)) {
            if (!w.watch().isCancelled()) {
                any = true;
                w.handler().ready(events);
                break;   // one wake-up, as epoll reports one fd
            }
        }
        return any;
    }

    private Child start(ExecCommand command, BiConsumer<Child, ExitStatus> onExit) {
        int pid = nextPid++;
        String name = Path.of(command.path()).getFileName().toString();
        Child child = new Child(pid, name, this::kill);
        processes.put(pid, new Process(child, name, onExit));
        alive.add(pid);
        effects.add("spawn " + name);
        return child;
    }

    private boolean kill(int pid, int signal) {
        int target = Math.abs(pid);
        if (signal != 0) {
            Process p = processes.get(target);
            effects.add((pid < 0 ? "killpg " : "kill ") + Signals.name(signal) + " "
                    + (p == null ? target : p.command()));
        }
        return alive.contains(target);
    }

    @Override
    public Timer schedule(long nanos, Runnable task) {
        Timer timer = loop.schedule(nanos, task);
        timers.add(new Scheduled(timer, nanos, task));
        effects.add("timer " + (nanos >= 1_000_000_000L ? nanos / 1_000_000_000L + "s" : nanos / 1_000_000L + "ms"));
        return timer;
    }

    @Override
    public Watch watch(int fd, int interest, EventLoop.IoHandler handler) throws ErrnoException {
        Watch watch = loop.watch(fd, interest, handler);
        watches.add(new HandlerEntry(watch, handler));
        return watch;
    }

    @Override
    public EventLoop loop() {
        return loop;
    }

    @Override
    public UnitJournal journal() {
        return journal;
    }

    @Override
    public Child spawn(ExecCommand command, ExecSpawner.Context context, ExecSpawner.Stdio stdio,
                       Map<String, String> extra, BiConsumer<Child, ExitStatus> onExit) {
        lastContext = context;
        return start(command, onExit);
    }

    @Override
    public Child spawnInBackground(ExecCommand command, ExecSpawner.Context context, ExecSpawner.Stdio stdio,
                                   Map<String, String> extra, BiConsumer<Child, ExitStatus> onExit,
                                   Consumer<Child> afterSpawn) {
        lastContext = context;
        Child child = start(command, onExit);
        afterSpawn.accept(child);
        return child;
    }

    /** No standby here (its process would wait on a real socket): the state machine spawns at the trigger. */
    @Override
    public Child spawnStandby(ExecCommand command, ExecSpawner.Context context, ExecSpawner.Stdio stdio,
                              Map<String, String> extra, Fd go, BiConsumer<Child, ExitStatus> onExit,
                              Consumer<Child> afterSpawn) {
        effects.add("standby-refused " + Path.of(command.path()).getFileName());
        return null;
    }

    @Override
    public StandbySlots standbySlots() {
        return standbySlots;
    }

    @Override
    public Child spawnFailed(ExecCommand command, BiConsumer<Child, ExitStatus> onExit) {
        effects.add("spawn-failed " + command.path());
        Child child = new Child(0, command.path(), this::kill);
        child.markExited();
        return child;
    }

    @Override
    public List<Integer> unwatchedChildren() {
        return List.of();
    }

    @Override
    public Map<String, String> managerEnvironment() {
        return managerEnvironment;
    }

    @Override
    public boolean userManager() {
        return userManager;
    }

    @Override
    public Path notifySocketPath() {
        return runtime.resolve("notify-" + notifyIds++);
    }

    @Override
    public SharedNamespaces namespaces() {
        return namespaces;
    }

    @Override
    public HostedThreads hostedThreads() {
        return hostedThreads;
    }

    @Override
    public boolean shuttingDown() {
        return shuttingDown;
    }

    /**
     * Start jobs are left waiting from now on ({@code job UNIT (held)}), although {@link #startRunsAtOnce} still
     * says they run at once: a broken promise, to see what is done about it.
     */
    void holdJobs() {
        this.holdJobs = true;
    }

    /** A start job runs the unit's own start at once, as {@link Jobs} does for a unit without dependencies. */
    @Override
    public void startJob(ManagedUnit unit) {
        if (holdJobs) {
            effects.add("job " + unit.name() + " (held)");
            return;
        }
        effects.add("job " + unit.name());
        unit.start();
    }

    /** As {@link Jobs} answers for a unit that no other unit names: nothing else is loaded here. */
    @Override
    public boolean startRunsAtOnce(ManagedUnit unit) {
        return Jobs.isInactive(unit) && !shuttingDown && Jobs.pullsNothing(unit.info());
    }

    @Override
    public ServiceRuntime loadInstance(SocketRuntime socket, String instanceName,
                                       ConnectionAcceptor.Connection connection) {
        effects.add("load " + instanceName);
        return null;
    }

    @Override
    public void instanceEnded(ServiceRuntime instance) {
        effects.add("instance-ended " + instance.name());
    }

    @Override
    public void unitChanged() {
        onChange.run();
    }

    @Override
    public void close() {
        loop.close();
    }
}
