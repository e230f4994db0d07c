package dev.sockact.daemon;

import dev.sockact.activation.ConnectionAcceptor;
import dev.sockact.activation.ListenEnvironment;
import dev.sockact.ctl.ServiceCounters;
import dev.sockact.event.Timer;
import dev.sockact.event.Watch;
import dev.sockact.posix.Epoll;
import dev.sockact.posix.ErrnoException;
import dev.sockact.posix.ExitStatus;
import dev.sockact.posix.Fd;
import dev.sockact.posix.Pidfd;
import dev.sockact.posix.PosixFiles;
import dev.sockact.posix.Processes;
import dev.sockact.posix.Signals;
import dev.sockact.proxy.ProxyArguments;
import dev.sockact.proxy.ProxyListener;
import dev.sockact.text.SignalNames;
import dev.sockact.unit.ExecCommand;
import dev.sockact.unit.KillMode;
import dev.sockact.unit.ServiceType;
import dev.sockact.unit.ServiceUnit;
import dev.sockact.unit.TimeSpan;
import dev.sockact.unit.UnitInfo;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * One service unit's state machine, after systemd's service.c: start-pre, start, start-post, running, reload, stop,
 * stop-sigterm, stop-sigkill, stop-post, final-sigterm, final-sigkill, then dead, failed or auto-restart. Every
 * transition goes through {@link #setState}; {@link #result} keeps the first failure. Runs on the manager's loop.
 */
final class ServiceRuntime implements ManagedUnit {
    private static final System.Logger LOG = System.getLogger("sockactd");
    /** How often a process group whose leader is gone is checked for stragglers (no cgroups to wait on). */
    private static final long GROUP_POLL_NANOS = 100_000_000L;

    private final UnitContext manager;
    private ServiceUnit unit;
    private final String name;
    private final List<SocketRuntime> sockets = new ArrayList<>();
    /** StartLimitIntervalSec=/StartLimitBurst= (systemd's defaults: 5 in 10 s): every start counts, restarts too. */
    private RateLimit startLimit;
    private final List<Child> spawned = new ArrayList<>();

    private ServiceState state = ServiceState.DEAD;
    private ServiceResult result = ServiceResult.SUCCESS;
    private ExecSpawner.Context context;
    private Child main;
    /** The main process {@link #spawnAhead} spawned for the start that follows at once, until that start takes it. */
    private Child aheadMain;
    /** The context {@link #spawnAhead} made last, kept while it is what a new one would be ({@link #reusable}). */
    private KeptContext keptContext;
    /** The next main process, ready but for its exec, for {@link #spawnAhead} to release; or null. */
    private Standby standby;

    /** A context, and the definition and manager environment it was made from. */
    private record KeptContext(ServiceUnit unit, Map<String, String> managerEnvironment, ExecSpawner.Context context) {
    }
    /** A socket-proxyd ExecStart= that sockactd runs itself ({@link ProxyHosting}): in the main process's place. */
    private HostedProxy hosted;
    /** Whether ExecStart= is hosted, decided once per definition and command line. */
    private final HostingPlan hostingPlan = new HostingPlan();
    private int mainPidOverride;
    private Child control;
    private final ArrayDeque<ExecCommand> controlQueue = new ArrayDeque<>();
    private ExecCommand controlCommand;
    private final ArrayDeque<ExecCommand> mainQueue = new ArrayDeque<>();
    private ExecCommand mainCommand;
    private final StateTimeout<ServiceState> timeout;
    private Timer groupPoll;
    private NotifySocket notify;
    private String statusText = "";
    private int restartCount;
    /** Starts begun and runs ended failed (by Result=) since the service was loaded: sockctl show, the metrics. */
    private long starts;
    private final long[] failures = new long[ServiceResult.values().length];
    /** The socket whose trigger this start answers, until the service is ready (active) or gives up; else null. */
    private SocketRuntime triggeredBy;
    private long triggeredAt;
    private boolean forbidRestart;
    /** A stop was asked of the running service ({@link #stop}): "Stopped ..." once it is down. */
    private boolean stopJob;
    /** Accept=yes: the connection this transient instance serves, or null for an ordinary service. */
    private final Instance instance;
    private boolean instanceEnded;
    /** The last ExecReload= failed (the service runs on, as in systemd; the reload job fails). */
    private boolean reloadFailed;
    /** Type=forking: the wait for PIDFile= after the parent exited. */
    private Timer pidFilePoll;
    /** The main process's last exit is listed in RestartPreventExitStatus=. */
    private boolean mainExitPreventsRestart;

    /**
     * What an Accept=yes instance ({@code foo@0-...service}) serves: its connection, passed as fd 3 named
     * "connection" (or the socket's FileDescriptorName=) with REMOTE_ADDR/REMOTE_PORT, and the socket that gets the
     * slot back when the instance ends.
     */
    record Instance(SocketRuntime socket, ConnectionAcceptor.Connection connection) {
    }
    private final UnitTimes times = new UnitTimes();
    private final StartChecks startChecks = new StartChecks();
    private long mainStartMicros;
    private int lastMainPid;

    ServiceRuntime(UnitContext manager, ServiceUnit unit) {
        this(manager, unit, null);
    }

    ServiceRuntime(UnitContext manager, ServiceUnit unit, Instance instance) {
        this.manager = manager;
        this.timeout = new StateTimeout<>(manager, () -> state, this::timedOut);
        this.unit = unit;
        this.name = unit.name().toString();
        this.instance = instance;
        this.startLimit = startLimitOf(unit);
        prestartHostedThread();
    }

    /**
     * A service that may be hosted gets a thread waiting before its first activation, which then need not make one.
     * By the program's name only: loading a unit reads no file, and a wrong guess costs one idle thread.
     */
    private void prestartHostedThread() {
        if (instance == null && unit.execStart().size() == 1
                && unit.execStart().getFirst().path().endsWith("socket-proxyd")) {
            manager.hostedThreads().prestart();
        }
    }

    private static RateLimit startLimitOf(ServiceUnit unit) {
        return new RateLimit(unit.unit().startLimitInterval().toNanos(), unit.unit().startLimitBurst());
    }

    @Override
    public String name() {
        return name;
    }

    ServiceUnit unit() {
        return unit;
    }

    @Override
    public UnitInfo info() {
        return unit.unit();
    }

    @Override
    public ActiveState activeState() {
        return state.activeState();
    }

    /** A start job ended without starting us: a socket that triggered us listens again; an instance ends. */
    @Override
    public void startAbandoned() {
        for (SocketRuntime socket : List.copyOf(sockets)) {
            socket.serviceStateChanged(this);
        }
        endInstance();
    }

    ServiceState state() {
        return state;
    }

    ServiceResult result() {
        return result;
    }

    /** STATUS=, or what a hosted proxy forwards and its counts now. */
    String statusText() {
        return hosted != null && hosted.alive() ? hosted.describe() : statusText;
    }

    int mainPid() {
        return mainPidOverride > 0 ? mainPidOverride : main != null && !main.exited() ? main.pid() : 0;
    }

    void addSocket(SocketRuntime socket) {
        sockets.add(socket);
    }

    void removeSocket(SocketRuntime socket) {
        sockets.remove(socket);
    }

    List<SocketRuntime> sockets() {
        return List.copyOf(sockets);
    }

    UnitTimes times() {
        return times;
    }

    @Override
    public StartChecks startChecks() {
        return startChecks;
    }

    /** ExecMainStartTimestamp (epoch microseconds, 0 before the first start) and ExecMainPID. */
    long mainStartMicros() {
        return mainStartMicros;
    }

    int lastMainPid() {
        return lastMainPid;
    }

    /** The proxy this service runs inside sockactd, while it runs; else null. */
    HostedProxy hostedProxy() {
        return hosted != null && hosted.alive() ? hosted : null;
    }

    int restartCount() {
        return restartCount;
    }

    /** The counts sockctl status and show print and the metrics export. */
    ServiceCounters counters() {
        Map<String, Long> byResult = new HashMap<>();
        for (ServiceResult r : ServiceResult.values()) {
            if (failures[r.ordinal()] > 0) {
                byResult.put(r.text(), failures[r.ordinal()]);
            }
        }
        return new ServiceCounters(starts, restartCount, byResult);
    }

    /**
     * {@code socket} has been triggered and starts this service: the time until the service is active goes to the
     * socket's trigger-to-ready histogram. Not when the service is active already (it will not become ready again).
     */
    void triggered(SocketRuntime socket) {
        if (state.activeState() != ActiveState.ACTIVE) {
            triggeredBy = socket;
            triggeredAt = System.nanoTime();
        }
    }

    /** daemon-reload: the new definition applies from the next start. */
    void reloaded(ServiceUnit newUnit) {
        dropStandby();   // made from the old definition
        this.unit = newUnit;
        this.startLimit = startLimitOf(newUnit);
        prestartHostedThread();
        manager.loop().execute(this::prepareStandby);   // from the new one, if its sockets still listen
    }

    // ---- state -----------------------------------------------------------------------------------------------

    private void setState(ServiceState next) {
        ServiceState previous = state;
        state = next;
        if (!keepsTimer(next)) {
            timeout.cancel();
        }
        if (groupPoll != null && !isKilling(next)) {
            groupPoll.cancel();
            groupPoll = null;
        }
        if (pidFilePoll != null && next != ServiceState.START) {
            pidFilePoll.cancel();
            pidFilePoll = null;
        }
        if (next.isInactive() || next == ServiceState.AUTO_RESTART) {
            if (!unit.pidFile().isEmpty() && !previous.isInactive()) {
                removeQuietly(Path.of(unit.pidFile()));   // service_enter_dead(): a stale file would name a dead pid
            }
            main = null;
            hosted = null;
            mainPidOverride = 0;
            control = null;
            spawned.clear();
            controlQueue.clear();
            mainQueue.clear();
            if (notify != null) {
                notify.close();
                notify = null;
            }
            manager.namespaces().release(unit);
            ServiceDirectories.stopped(unit, manager.userManager(), next == ServiceState.AUTO_RESTART);
        }
        if (triggeredBy != null && next.activeState() == ActiveState.ACTIVE) {
            triggeredBy.ready(System.nanoTime() - triggeredAt);
            triggeredBy = null;
        } else if (next.isInactive()) {
            triggeredBy = null;   // the start failed or was stopped: it never became ready
        }
        if (previous != next) {
            times.changed(previous.activeState(), next.activeState());
            LOG.log(Level.DEBUG, () -> name + ": Changed " + previous + " -> " + next);
        }
        if (stopJob && next.isInactive()) {
            stopJob = false;
            LOG.log(Level.INFO, "Stopped " + describe() + ".");   // the stop job's message, as systemd's
        }
        for (SocketRuntime socket : List.copyOf(sockets)) {
            socket.serviceStateChanged(this);
        }
        if (next == ServiceState.DEAD || next == ServiceState.FAILED) {
            endInstance();
        }
        manager.unitChanged();
    }

    /**
     * An Accept=yes instance is transient: once it is dead or failed, however it got there, its connection is
     * closed and its slot given back to the socket, which forgets it. Once only.
     */
    void endInstance() {
        if (instance == null || instanceEnded) {
            return;
        }
        instanceEnded = true;
        instance.connection().close();
        instance.socket().instanceEnded(this, instance.connection());
    }

    private boolean keepsTimer(ServiceState s) {
        return s != ServiceState.DEAD && s != ServiceState.FAILED && s != ServiceState.RUNNING
                && s != ServiceState.EXITED;
    }

    private static boolean isKilling(ServiceState s) {
        return s == ServiceState.STOP_SIGTERM || s == ServiceState.STOP_SIGKILL || s == ServiceState.FINAL_SIGTERM
                || s == ServiceState.FINAL_SIGKILL;
    }

    private void armTimer(TimeSpan span) {
        timeout.arm(span);
    }

    private void fail(ServiceResult f) {
        result = ServiceResult.firstFailure(result, f);
    }

    // ---- start -----------------------------------------------------------------------------------------------

    /** service_reset_failed() and unit_reset_failed(): also the restart counter and the start rate limit. */
    @Override
    public void resetFailed() {
        if (state == ServiceState.FAILED) {
            setState(ServiceState.DEAD);
        }
        result = ServiceResult.SUCCESS;
        reloadFailed = false;
        restartCount = 0;
        startLimit.reset();
    }

    /** A start request (a socket's trigger, or an automatic restart). Ignored unless the service is inactive. */
    @Override
    public void start() {
        if (!state.isInactive() && state != ServiceState.AUTO_RESTART) {
            return;
        }
        if (manager.shuttingDown()) {
            endInstance();
            return;
        }
        result = ServiceResult.SUCCESS;
        forbidRestart = false;
        statusText = "";
        starts++;
        if (!startLimit.below(System.nanoTime())) {
            LOG.log(Level.WARNING, name + ": Start request repeated too quickly.");
            fail(ServiceResult.START_LIMIT_HIT);
            failures[result.ordinal()]++;
            LOG.log(Level.WARNING, name + ": Failed with result '" + result + "'.");
            LOG.log(Level.ERROR, "Failed to start " + describe() + ".");
            setState(ServiceState.FAILED);
            return;
        }
        if (aheadMain != null) {
            enterStartPre();   // spawnAhead() set the context, as below: none of the refusals or namespaces apply
            return;
        }
        List<String> refusals = new ArrayList<>(SharedNamespaces.refusals(unit, Processes.uid() == 0,
                manager.userManager()));
        refusals.addAll(DynamicUsers.refusals(unit));
        if (!refusals.isEmpty()) {
            refusals.forEach(refusal -> LOG.log(Level.ERROR, name + ": " + refusal));
            enterDead(ServiceResult.RESOURCES, false);
            return;
        }
        ServiceNamespaces namespaces;
        try {
            namespaces = manager.namespaces().acquire(unit);   // released when the service is inactive again
        } catch (ExecStepException e) {
            LOG.log(Level.ERROR, name + ": " + e.getMessage());
            enterDead(ServiceResult.RESOURCES, true);
            return;
        }
        try {
            context = executionContext(namespaces);
        } catch (ServiceDirectories.SetupException e) {
            ServiceDirectories.logFailure(unit, e);
            enterDead(ServiceResult.EXIT_CODE, true);
            return;
        } catch (IOException e) {
            LOG.log(Level.ERROR, name + ": Failed to set up the execution environment: " + e.getMessage());
            fail(ServiceResult.RESOURCES);
            enterDead(ServiceResult.RESOURCES, true);
            return;
        }
        enterStartPre();
    }

    /**
     * What every command of this start shares: the environment (with RuntimeDirectory= and its siblings made, the
     * notify socket opened), the credentials and the working directory.
     */
    private ExecSpawner.Context executionContext(ServiceNamespaces namespaces) throws IOException {
        UnitEnvironment.Credentials credentials = UnitEnvironment.credentials(unit);
        Map<String, String> env = UnitEnvironment.build(unit, manager.managerEnvironment(),
                credentials, manager.userManager());
        env.putAll(ServiceDirectories.setUp(unit, credentials, manager.userManager()));
        if (instance != null) {
            env.putAll(instance.connection().remoteEnvironment());   // every command's, as service_spawn()
        }
        if (unit.notifyAccess().acceptsMessages()) {
            notify = NotifySocket.open(manager, this);
            env.put("NOTIFY_SOCKET", notify.path());
        }
        return new ExecSpawner.Context(name, env, credentials.argvPrefix(), workingDirectory(credentials),
                namespaces, credentials.process());
    }

    /**
     * A socket's trigger is about to start this service ({@link SocketRuntime}). When that start will run at once
     * ({@link UnitContext#startRunsAtOnce}, the start limit not reached) and it only spawns a plain process
     * ({@link #spawnsAhead}), the main process is spawned now, before the start job and the state changes, with
     * the environment and descriptors the start would give it; the start then takes it as its main process
     * ({@link #spawnNextMain}). The job and the state changes were about 0.07 ms of the daemon's 0.23 ms from the
     * wake-up to the spawn request, on every activation (bench/RESULTS-activation.md, session 17).
     */
    void spawnAhead() {
        if (!idleAndPlain() || !startLimit.allows(System.nanoTime()) || !manager.startRunsAtOnce(this)) {
            return;
        }
        AheadSpawn ahead = aheadSpawn();
        if (ahead == null) {
            return;   // the start decides, and reports what it meets
        }
        if (ahead.plan().socketProxyd()) {
            logSpawnedAsProcess(ahead.plan());
        }
        context = ahead.context();
        mainStartMicros = UnitTimes.nowMicros();
        Consumer<Child> onSpawned = child -> {
            if (child == main) {
                mainSpawned(child);
            }
        };
        aheadMain = releaseStandby(ahead, onSpawned);
        if (aheadMain == null) {
            aheadMain = spawn(ahead.command(), ahead.fds(), ahead.listenVariables(), true, onSpawned);
        }
    }

    /** The standby told to exec, when it is this very spawn ({@link Standby#fits}); else null (it is let go). */
    private Child releaseStandby(AheadSpawn ahead, Consumer<Child> onSpawned) {
        Standby ready = standby;
        if (ready == null) {
            return null;
        }
        standby = null;
        if (!ready.fits(ahead)) {
            ready.letGo();
            return null;
        }
        Child child = ready.release((c, status) -> exited(c, true, status), onSpawned);
        if (child != null) {
            spawned.add(child);
        }
        return child;
    }

    /**
     * Its sockets listen and it is not running: a {@link Standby} for the next trigger, where {@link #spawnAhead}
     * would spawn and the context is one that is kept ({@link #reusable}), in a free slot. Posted by the socket,
     * after the round that made it listen.
     */
    void prepareStandby() {
        if (standby != null || manager.shuttingDown() || !idleAndPlain() || !reusable(unit, manager.userManager())) {
            return;
        }
        // The slot first: beyond the bound (a start-up of many units), nothing is made.
        if (!manager.standbySlots().take(name)) {
            return;
        }
        AheadSpawn ahead = aheadSpawn();
        if (ahead == null || ahead.fds().isEmpty()) {
            manager.standbySlots().give();
            return;   // the trigger's start decides, and reports what it meets
        }
        standby = Standby.spawn(manager, unit, name, ahead, ended -> {
            if (standby == ended) {
                standby = null;
            }
        });
    }

    /**
     * A socket of this service is closing its descriptors, or the definition changed: the standby (which holds
     * copies of them, and was made from that definition) is let go, and gone when this returns.
     */
    void dropStandby() {
        Standby dropped = standby;
        standby = null;
        if (dropped != null) {
            dropped.letGo();
        }
    }

    /** Inactive, not an Accept=yes instance, and a plain process ({@link #spawnsAhead}): what both need. */
    private boolean idleAndPlain() {
        return state.isInactive() && instance == null && spawnsAhead(unit);
    }

    /**
     * What a main process spawned ahead of its start (or a standby) gets: the kept context while it fits, else a
     * new one, kept where that is exact ({@link #reusable}); the command; the sockets' descriptors. Null where the
     * start must decide: no context can be made, or ExecStart= is a socket-proxyd hosted if its sockets allow.
     */
    private AheadSpawn aheadSpawn() {
        ExecSpawner.Context prepared = reusableContext();
        if (prepared == null) {
            try {
                prepared = executionContext(ServiceNamespaces.NONE);
            } catch (IOException e) {
                return null;
            }
            if (reusable(unit, manager.userManager())) {
                keptContext = new KeptContext(unit, new HashMap<>(manager.managerEnvironment()), prepared);
            }
        }
        ExecCommand command = unit.execStart().getFirst();
        HostingPlan.Decision plan = hostingPlan.decide(unit, command, prepared.environment(), false, false);
        if (plan.socketProxyd() && plan.arguments().isPresent()) {
            return null;
        }
        List<Fd> fds = new ArrayList<>();
        List<String> names = new ArrayList<>();
        collectMainFds(fds, names);
        return new AheadSpawn(prepared, command, plan, fds, names);
    }

    /** The kept context, if the definition and the manager environment are still the ones it was made from. */
    private ExecSpawner.Context reusableContext() {
        KeptContext kept = keptContext;
        if (kept == null || kept.unit() != unit || !kept.managerEnvironment().equals(manager.managerEnvironment())) {
            keptContext = null;
            return null;
        }
        return kept.context();
    }

    /**
     * Whether {@code unit}'s context is made from its definition and the manager environment alone, read nowhere
     * else: a system service without User=/Group= (no user database), EnvironmentFile= (a file read at every
     * start), WorkingDirectory= (a directory looked for) or process settings (which look for their tools), so
     * that the one made for the last start is the one this start would make. A context holds no per-start value.
     */
    static boolean reusable(ServiceUnit unit, boolean userManager) {
        return !userManager && unit.user().isEmpty() && unit.group().isEmpty() && unit.environmentFiles().isEmpty()
                && unit.workingDirectory().isEmpty() && unit.process().isNone();
    }

    /**
     * A plain process: one ExecStart= of Type=simple (started once spawned) with no ExecStartPre= or
     * ExecStartPost=, no notify socket, OpenFile=, RuntimeDirectory= or sibling, namespace or dynamic user. Its
     * start does nothing before the spawn that could fail or be seen.
     */
    static boolean spawnsAhead(ServiceUnit unit) {
        return unit.type() == ServiceType.SIMPLE && unit.execStart().size() == 1 && unit.execStartPre().isEmpty()
                && unit.execStartPost().isEmpty() && !unit.notifyAccess().acceptsMessages()
                && unit.openFiles().isEmpty() && unit.directories().isEmpty() && !unit.privateNetwork()
                && !unit.privateTmp() && !unit.dynamicUser();
    }

    /**
     * After the trigger's start: a main process spawned ahead that the start did not take (it could only be a
     * mistake in {@link #spawnAhead}'s promise) is killed rather than left running outside the state machine.
     */
    void dropUnclaimedAhead() {
        if (aheadMain != null) {
            LOG.log(Level.ERROR, name + ": The start did not take the main process spawned ahead of it; killing it.");
            aheadMain.signal(Signals.SIGKILL, true);
            aheadMain = null;
        }
    }

    private String workingDirectory(UnitEnvironment.Credentials credentials) throws IOException {
        String dir = unit.workingDirectory();
        if (dir.isEmpty()) {
            return manager.userManager() ? userHome() : "/";
        }
        boolean optional = dir.startsWith("-");
        if (optional) {
            dir = dir.substring(1);
        }
        if (dir.equals("~")) {
            dir = credentials.user() != null ? credentials.user().home() : System.getProperty("user.home");
        }
        if (!Files.isDirectory(Path.of(dir))) {
            if (optional) {
                return null;
            }
            throw new IOException("Changing to the requested working directory failed: No such file or directory ("
                    + dir + ")");
        }
        return dir;
    }

    /**
     * A user manager's default working directory: $HOME as the daemon got it (the JVM's user.home comes from
     * the passwd entry, which for a system account may be /nonexistent), else "/" when that is no folder.
     */
    private static String userHome() {
        for (String candidate : new String[] {System.getenv("HOME"), System.getProperty("user.home")}) {
            if (candidate != null && Files.isDirectory(Path.of(candidate))) {
                return candidate;
            }
        }
        return "/";
    }

    @Override
    public String describe() {
        return unit.unit().description().isEmpty() ? name : unit.unit().description();
    }

    private void enterStartPre() {
        if (unit.execStartPre().isEmpty()) {
            enterStart();
            return;
        }
        setState(ServiceState.START_PRE);
        armTimer(unit.timeoutStart());
        runControl(unit.execStartPre());
    }

    private void enterStart() {
        mainExitPreventsRestart = false;
        if (unit.execStart().isEmpty()) {
            enterStartPost();
            return;
        }
        mainQueue.clear();
        mainQueue.addAll(unit.execStart());
        setState(ServiceState.START);
        armTimer(unit.timeoutStart());
        spawnNextMain();
        // A spawn that failed (exec, stdio) comes back already exited; its 203/EXEC status is on its way and
        // fails the start. Carrying on to running here would report a clean run that never happened.
        if (state == ServiceState.START && unit.type().startedOnceSpawned()
                && ((main != null && !main.exited()) || (hosted != null && hosted.alive()))) {
            enterStartPost();
        }
    }

    private void spawnNextMain() {
        mainCommand = mainQueue.poll();
        if (aheadMain != null) {
            main = aheadMain;   // this command, spawned by spawnAhead() with these fds before the start began
            aheadMain = null;
            if (main.pid() > 0) {
                mainSpawned(main);   // else once it is (the spawn's callback)
            }
            return;
        }
        List<Fd> fds = new ArrayList<>();
        List<String> names = new ArrayList<>();
        collectMainFds(fds, names);
        if (instance == null && mainQueue.isEmpty() && startHosted(fds, names)) {
            return;
        }
        OpenFiles files = OpenFiles.open(name, unit.openFiles());   // after the sockets, as systemd passes them
        if (files.failed()) {
            main = ExecSpawner.failed(manager.loop(), mainCommand, (c, status) -> exited(c, true, status),
                    ExitStatuses.EXIT_FDS);
            mainSpawned(main);
            return;
        }
        fds.addAll(files.fds());
        names.addAll(files.names());
        var listen = ListenEnvironment.variables(fds.size(), names);
        // The last command that gets the connection has its copy (control commands never get it here): ours is
        // closed once it is spawned, so that the client sees the end as soon as the program closes it, as with
        // inetd. The slot is held until the instance has ended.
        boolean lastWithConnection = instance != null && mainQueue.isEmpty();
        mainStartMicros = UnitTimes.nowMicros();
        if (lastWithConnection && unit.type() == ServiceType.SIMPLE && unit.execStartPost().isEmpty()) {
            // Type=simple is running once spawned, as systemd's is once forked: nothing waits for the exec, so
            // neither does the loop (see SpawnPool). ExecStartPost= would run before the pid is known, without
            // $MAINPID: such a unit is spawned on the loop.
            main = spawn(mainCommand, fds, listen, true, child -> {
                instance.connection().close();
                files.close();
                mainSpawned(child);
            });
        } else {
            main = spawn(mainCommand, fds, listen, true, null);
            files.close();
            if (lastWithConnection) {
                instance.connection().close();
            }
            mainSpawned(main);
        }
    }

    /** The connection of an instance, then every socket's fds in Listen= order with their names. */
    private void collectMainFds(List<Fd> fds, List<String> names) {
        if (instance != null) {
            fds.add(instance.connection().fd());
            names.add(instance.socket().unit().connectionFdName());
        }
        for (SocketRuntime socket : sockets) {
            socket.collectFds(fds, names);
        }
    }

    /**
     * The one branch between a process and sockactd's own forwarding: a socket-proxyd ExecStart= that
     * {@link ProxyHosting} allows is run in-process, in the main process's place; the rest of the state machine
     * is the same for both (its exit is {@link #mainExited}). False: spawn it.
     */
    private boolean startHosted(List<Fd> fds, List<String> names) {
        HostingPlan.Decision plan = hostingPlan.decide(unit, mainCommand, context.environment(),
                context.namespaces().network() != null, context.namespaces().tmp() != null);
        if (!plan.socketProxyd()) {
            return false;
        }
        Optional<ProxyArguments> arguments = plan.arguments();
        List<ProxyListener> listeners = arguments.isEmpty() ? null : hostingPlan.listeners(fds, names);
        if (listeners == null) {
            logSpawnedAsProcess(plan);
            return false;
        }
        HostedProxy[] self = new HostedProxy[1];
        HostedProxy proxy = new HostedProxy(name, arguments.get(), manager.loop(), new HostedProxy.Events() {
            @Override
            public void listening() {
                if (hosted == self[0] && state == ServiceState.START && unit.type().isNotify()) {
                    enterStartPost();   // the process would send READY=1 now
                }
            }

            @Override
            public void ended(boolean clean) {
                if (hosted == self[0]) {   // not one that a finished stop has already let go of
                    mainExited(ExitStatus.exited(0, clean ? 0 : 1));
                }
            }
        });
        self[0] = proxy;
        hosted = proxy;
        mainStartMicros = UnitTimes.nowMicros();
        proxy.start(listeners, context.namespaces().network(), manager.hostedThreads());
        LOG.log(Level.DEBUG, () -> name + ": Forwarding to " + arguments.get().describeTargets() + " inside sockactd");
        return true;
    }

    private void logSpawnedAsProcess(HostingPlan.Decision plan) {
        // Not a supplier: its lambda class would be spun on a new daemon's first activation (the AOT cache's
        // training hosts every proxy it starts).
        if (LOG.isLoggable(Level.DEBUG)) {
            LOG.log(Level.DEBUG, name + ": Spawning socket-proxyd as a process" + (plan.needs().isEmpty()
                    ? " (its command line or sockets)" : ": " + String.join(", ", plan.needs())));
        }
    }

    private void mainSpawned(Child child) {
        lastMainPid = child.pid();
        LOG.log(Level.DEBUG, () -> name + ": Main process " + child.pid() + " started");
    }

    private void enterStartPost() {
        if (unit.execStartPost().isEmpty()) {
            enterRunning(ServiceResult.SUCCESS);
            return;
        }
        setState(ServiceState.START_POST);
        armTimer(unit.timeoutStart());
        runControl(unit.execStartPost());
    }

    private boolean mainAlive() {
        return mainPidOverride > 0 || (main != null && !main.exited()) || (hosted != null && hosted.alive());
    }

    private void enterRunning(ServiceResult f) {
        fail(f);
        if (result != ServiceResult.SUCCESS) {
            enterSignal(ServiceState.STOP_SIGTERM, f);
        } else if (mainAlive()) {
            if (state != ServiceState.RUNNING) {
                LOG.log(Level.INFO, "Started " + describe() + ".");
            }
            setState(ServiceState.RUNNING);
        } else if (unit.remainAfterExit()) {
            LOG.log(Level.INFO, "Finished " + describe() + ".");
            setState(ServiceState.EXITED);
        } else {
            if (unit.type().isOneshot()) {
                LOG.log(Level.INFO, "Finished " + describe() + ".");
            }
            enterStop(ServiceResult.SUCCESS);
        }
    }

    // ---- stop ------------------------------------------------------------------------------------------------

    /** A stop request (sockactd shutting down): no restart afterwards. */
    @Override
    public void stop() {
        forbidRestart = true;
        stopJob = !state.isInactive();
        switch (state) {
            case DEAD, FAILED -> manager.unitChanged();
            case AUTO_RESTART -> setState(result == ServiceResult.SUCCESS ? ServiceState.DEAD : ServiceState.FAILED);
            case START_PRE, START, START_POST -> enterSignal(ServiceState.STOP_SIGTERM, ServiceResult.SUCCESS);
            case RUNNING, EXITED, RELOAD -> enterStop(ServiceResult.SUCCESS);
            default -> { }   // already stopping
        }
    }

    // ---- reload ----------------------------------------------------------------------------------------------

    /** ExecReload= ({@code sockctl reload-unit}): runs with $MAINPID while the service is "reloading". */
    void reload() {
        reloadFailed = false;
        if (state != ServiceState.RUNNING && state != ServiceState.EXITED) {
            LOG.log(Level.WARNING, name + ": Not active, cannot reload.");
            reloadFailed = true;
            manager.unitChanged();
            return;
        }
        if (unit.execReload().isEmpty()) {
            LOG.log(Level.WARNING, name + ": Job type reload is not applicable: no ExecReload=.");
            reloadFailed = true;
            manager.unitChanged();
            return;
        }
        LOG.log(Level.INFO, "Reloading " + describe() + "...");
        setState(ServiceState.RELOAD);
        armTimer(unit.timeoutStart());
        runControl(unit.execReload());
    }

    boolean reloadFailed() {
        return reloadFailed;
    }

    /** service_enter_running() after a reload: a failed ExecReload= fails the job, not the service. */
    private void reloadDone(ServiceResult f) {
        reloadFailed = f != ServiceResult.SUCCESS;
        if (reloadFailed) {
            LOG.log(Level.WARNING, name + ": Reload failed with result '" + f + "'.");
        } else {
            LOG.log(Level.INFO, "Reloaded " + describe() + ".");
        }
        if (unit.type().isForking() && !unit.pidFile().isEmpty()) {
            int pid = readPidFile();   // a daemon may re-exec itself on reload (nginx's binary upgrade)
            if (pid > 0 && (main == null || main.pid() != pid)) {
                adoptMainPid(pid);
            }
        }
        if (mainAlive()) {
            setState(ServiceState.RUNNING);
        } else if (unit.remainAfterExit()) {
            setState(ServiceState.EXITED);
        } else {
            enterStop(ServiceResult.SUCCESS);
        }
    }

    // ---- Type=forking --------------------------------------------------------------------------------------

    /**
     * The forking parent exited cleanly: the main process is the one PIDFile= names (waited for, as systemd waits
     * with inotify, until TimeoutStartSec=), or without PIDFile= the one process reparented to sockactd that
     * nobody watches yet (sockactd is a child subreaper). Then start-post.
     */
    private void forkingParentExited() {
        main = null;
        if (unit.pidFile().isEmpty()) {
            // A child being spawned for another unit is not watched yet either: wait for those in flight.
            List<Integer> candidates = manager.unwatchedChildren();
            if (candidates.size() != 1) {
                LOG.log(Level.ERROR, name + ": Type=forking without PIDFile=: " + (candidates.isEmpty()
                        ? "no process left after the parent exited" : "cannot tell the main process among "
                        + candidates) + ". Set PIDFile=.");
                enterSignal(ServiceState.STOP_SIGTERM, ServiceResult.PROTOCOL);
                return;
            }
            adoptMainPid(candidates.getFirst());
            if (main != null) {
                enterStartPost();
            }
            return;
        }
        pollPidFile(true);
    }

    private void pollPidFile(boolean first) {
        pidFilePoll = null;
        if (state != ServiceState.START) {
            return;
        }
        int pid = readPidFile();
        if (pid <= 0) {
            if (first) {
                LOG.log(Level.DEBUG, () -> name + ": PID file " + unit.pidFile() + " not readable (yet?) after start.");
            }
            pidFilePoll = manager.schedule(GROUP_POLL_NANOS / 2, () -> pollPidFile(false));
            return;
        }
        adoptMainPid(pid);
        if (main != null) {
            enterStartPost();
        }
    }

    /** The pid in PIDFile= (its first line), or 0 when the file is missing, empty or not a pid. */
    private int readPidFile() {
        try (var in = Files.newInputStream(Path.of(unit.pidFile()))) {
            String text = new String(in.readNBytes(64), StandardCharsets.US_ASCII).strip();
            int pid = Integer.parseInt(text.lines().findFirst().orElse("").strip());
            return pid > 1 ? pid : 0;
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }

    /** Watches {@code pid} as the main process: through a pidfd; reaped by us when it is our (adopted) child. */
    private void adoptMainPid(int pid) {
        Pidfd pidfd;
        try {
            pidfd = Pidfd.open(pid);
        } catch (ErrnoException e) {
            LOG.log(Level.ERROR, name + ": New main PID " + pid + " does not exist or is a zombie.");
            enterSignal(ServiceState.STOP_SIGTERM, ServiceResult.PROTOCOL);
            return;
        }
        Child child = new Child(pid, commOf(pid));
        main = child;
        spawned.add(child);
        lastMainPid = pid;
        mainStartMicros = UnitTimes.nowMicros();
        LOG.log(Level.DEBUG, () -> name + ": Supervising process " + pid + " as main process.");
        Watch[] watch = new Watch[1];
        try {
            watch[0] = manager.watch(pidfd.fd(), Epoll.EPOLLIN, events -> {
                ExitStatus status;
                try {
                    status = pidfd.poll().orElse(null);
                    if (status == null) {
                        return;
                    }
                } catch (ErrnoException e) {
                    // Not our child (the subreaper was refused): it is gone, its status is not ours to read.
                    status = ExitStatus.exited(pid, 0);
                }
                watch[0].cancel();
                pidfd.close();
                exited(child, true, status);
            });
        } catch (ErrnoException e) {
            pidfd.close();
            LOG.log(Level.ERROR, name + ": Failed to watch main PID " + pid + ": " + e.reason());
            enterSignal(ServiceState.STOP_SIGTERM, ServiceResult.RESOURCES);
        }
    }

    private static String commOf(int pid) {
        try {
            return Files.readString(Path.of("/proc/" + pid + "/comm")).strip();
        } catch (IOException e) {
            return "?";
        }
    }

    private void enterStop(ServiceResult f) {
        fail(f);
        if (unit.execStop().isEmpty()) {
            enterSignal(ServiceState.STOP_SIGTERM, ServiceResult.SUCCESS);
            return;
        }
        setState(ServiceState.STOP);
        armTimer(unit.timeoutStop());
        runControl(unit.execStop());
    }

    private void enterStopPost(ServiceResult f) {
        fail(f);
        if (unit.execStopPost().isEmpty()) {
            enterSignal(ServiceState.FINAL_SIGTERM, ServiceResult.SUCCESS);
            return;
        }
        setState(ServiceState.STOP_POST);
        armTimer(unit.timeoutStop());
        runControl(unit.execStopPost());
    }

    /**
     * Signals what is left (KillMode=: control-group signals every process group the service started, mixed
     * only the main process on SIGTERM, process the main process, none nothing; control processes always), then
     * waits for it with TimeoutStopSec=, or moves on at once when nothing is left.
     */
    private void enterSignal(ServiceState next, ServiceResult f) {
        fail(f);
        boolean kill = next == ServiceState.STOP_SIGKILL || next == ServiceState.FINAL_SIGKILL;
        int signal = kill ? Signals.SIGKILL : unit.killSignal().number();
        KillMode mode = unit.killMode();
        if (hosted != null && hosted.alive()) {
            hosted.stop();   // any signal ends the process it stands for; its end comes back as the main's exit
        }
        spawned.removeIf(c -> c.exited() && !c.groupAlive());
        for (Child child : spawned) {
            boolean isControl = child == control;
            boolean isMain = child == main;
            boolean group = mode.signalsGroups(kill);
            if (!group && !isControl && !isMain) {
                continue;
            }
            if (!mode.signalsMainProcess() && !isControl) {
                continue;
            }
            if (kill && (!child.exited() || group)) {
                LOG.log(Level.INFO, name + ": Killing process " + child.pid() + " (" + child.name()
                        + ") with signal SIGKILL.");
            }
            child.signal(signal, group);
            if (!kill) {
                child.signal(Signals.SIGCONT, group);   // a stopped process could not act on SIGTERM
            }
        }
        if (mainPidOverride > 0 && mode.signalsMainProcess()) {
            try {
                Processes.kill(mainPidOverride, signal);
            } catch (ErrnoException e) {
                mainPidOverride = 0;
            }
        }
        if (somethingLeft()) {
            setState(next);
            armTimer(unit.timeoutStop());
            pollGroupsIfNeeded();
            return;
        }
        afterSignal(next);
    }

    private boolean somethingLeft() {
        if (mainAlive() || (control != null && !control.exited())) {
            return true;
        }
        if (unit.killMode().waitsForGroups()) {
            return spawned.stream().anyMatch(Child::groupAlive);
        }
        return false;
    }

    /** Without cgroups nothing reports an emptied process group: check now and then while waiting for one. */
    private void pollGroupsIfNeeded() {
        if (groupPoll != null || mainAlive() || (control != null && !control.exited())) {
            return;
        }
        ServiceState waitingIn = state;
        groupPoll = manager.schedule(GROUP_POLL_NANOS, () -> {
            groupPoll = null;
            if (state != waitingIn) {
                return;
            }
            if (somethingLeft()) {
                pollGroupsIfNeeded();
            } else {
                afterSignal(state);
            }
        });
    }

    private void afterSignal(ServiceState phase) {
        switch (phase) {
            case STOP_SIGTERM, STOP_SIGKILL -> enterStopPost(ServiceResult.SUCCESS);
            default -> enterDead(ServiceResult.SUCCESS, true);
        }
    }

    private void enterDead(ServiceResult f, boolean allowRestart) {
        fail(f);
        if (result == ServiceResult.SUCCESS) {
            LOG.log(Level.INFO, name + ": Deactivated successfully.");
        } else {
            failures[result.ordinal()]++;
            LOG.log(Level.WARNING, name + ": Failed with result '" + result + "'.");
        }
        if (allowRestart && shouldRestart()) {
            setState(ServiceState.AUTO_RESTART);
            timeout.schedule(unit.restartSec().toNanos(), this::autoRestart);
            return;
        }
        setState(result == ServiceResult.SUCCESS ? ServiceState.DEAD : ServiceState.FAILED);
    }

    private void autoRestart() {
        if (state != ServiceState.AUTO_RESTART) {
            return;
        }
        restartCount++;
        LOG.log(Level.INFO, name + ": Scheduled restart job, restart counter is at " + restartCount + ".");
        start();
    }

    /** service_shall_restart(). */
    private boolean shouldRestart() {
        // An Accept=yes instance is not restarted: its connection is gone with it.
        if (forbidRestart || instance != null || manager.shuttingDown() || result == ServiceResult.START_LIMIT_HIT
                || mainExitPreventsRestart) {
            return false;
        }
        return unit.restart().restartsAfter(result.restartCause());
    }

    private void timedOut() {
        switch (state) {
            case START_PRE, START, START_POST -> {
                LOG.log(Level.WARNING, name + ": " + (state == ServiceState.START_PRE ? "start-pre"
                        : state == ServiceState.START_POST ? "start-post" : "start") + " operation timed out. Terminating.");
                enterSignal(ServiceState.STOP_SIGTERM, ServiceResult.TIMEOUT);
            }
            case RELOAD -> {
                LOG.log(Level.WARNING, name + ": Reload operation timed out. Killing reload process.");
                if (control != null) {
                    control.signal(Signals.SIGKILL, true);
                    control = null;
                }
                reloadDone(ServiceResult.TIMEOUT);
            }
            case STOP -> {
                LOG.log(Level.WARNING, name + ": Stopping timed out. Terminating.");
                enterSignal(ServiceState.STOP_SIGTERM, ServiceResult.TIMEOUT);
            }
            case STOP_SIGTERM -> {
                LOG.log(Level.WARNING, name + ": State 'stop-sigterm' timed out. Killing.");
                enterSignal(ServiceState.STOP_SIGKILL, ServiceResult.TIMEOUT);
            }
            case STOP_SIGKILL -> {
                LOG.log(Level.WARNING, name + ": Processes still around after SIGKILL. Ignoring.");
                enterStopPost(ServiceResult.TIMEOUT);
            }
            case STOP_POST -> {
                LOG.log(Level.WARNING, name + ": State 'stop-post' timed out. Terminating.");
                enterSignal(ServiceState.FINAL_SIGTERM, ServiceResult.TIMEOUT);
            }
            case FINAL_SIGTERM -> {
                LOG.log(Level.WARNING, name + ": State 'final-sigterm' timed out. Killing.");
                enterSignal(ServiceState.FINAL_SIGKILL, ServiceResult.TIMEOUT);
            }
            case FINAL_SIGKILL -> {
                LOG.log(Level.WARNING, name + ": Processes still around after final SIGKILL. Entering failed mode.");
                enterDead(ServiceResult.TIMEOUT, true);
            }
            default -> { }
        }
    }

    // ---- processes -------------------------------------------------------------------------------------------

    private void runControl(List<ExecCommand> commands) {
        controlQueue.clear();
        controlQueue.addAll(commands);
        spawnNextControl();
    }

    private void spawnNextControl() {
        controlCommand = controlQueue.poll();
        Map<String, String> extra = new HashMap<>();
        int pid = mainPid();
        if (pid > 0) {
            extra.put("MAINPID", Integer.toString(pid));
            // systemd 258: which process $MAINPID is, beyond a pid that can be reused (pidfs kernels only).
            Pidfd.inodeId(pid).ifPresent(id -> extra.put("MAINPIDFDID", Long.toUnsignedString(id)));
        }
        control = spawn(controlCommand, List.of(), extra, false);
    }

    /**
     * Starts a command and watches its exit; an exec failure is reported, as systemd's child reports it, as
     * exit status 203/EXEC.
     */
    private Child spawn(ExecCommand command, List<Fd> fds, Map<String, String> extra, boolean isMain) {
        return spawn(command, fds, extra, isMain, null);
    }

    /**
     * @param inBackground null to spawn on the loop; else spawned on the manager's {@link SpawnPool}, and called
     *                     on the loop once the child is spawned (or failed to be), when {@code fds} may be closed
     */
    private Child spawn(ExecCommand command, List<Fd> fds, Map<String, String> extra, boolean isMain,
                        Consumer<Child> inBackground) {
        ServiceStdio.Prepared stdio;
        try {
            stdio = ServiceStdio.prepare(manager.loop(), manager.journal(), unit, name, command,
                    isMain ? fds : List.of(), isMain);
        } catch (ErrnoException e) {
            LOG.log(Level.ERROR, name + ": Failed to set up standard input/output: " + e.reason());
            Child failed = manager.spawnFailed(command, (c, status) -> exited(c, isMain, status));
            if (inBackground != null) {
                inBackground.accept(failed);
            }
            return failed;
        }
        BiConsumer<Child, ExitStatus> onExit = (c, status) -> exited(c, isMain, status);
        Child child;
        if (inBackground != null) {
            child = manager.spawnInBackground(command, context,
                    stdio.stdio(), extra, onExit, spawned -> {
                        stdio.spawned(spawned.pid());
                        stdio.closeChildEnds();
                        inBackground.accept(spawned);
                    });
        } else {
            try {
                child = manager.spawn(command, context, stdio.stdio(), extra, onExit);
                stdio.spawned(child.pid());
            } finally {
                stdio.closeChildEnds();
            }
        }
        spawned.add(child);
        return child;
    }

    private void exited(Child child, boolean isMain, ExitStatus status) {
        child.markExited();
        if (isMain && child == main) {
            mainExited(status);
        } else if (!isMain && child == control) {
            controlExited(status);
        } else if (isKilling(state) && !somethingLeft()) {
            afterSignal(state);
        }
    }

    private void mainExited(ExitStatus status) {
        mainExitPreventsRestart = ExitStatuses.listed(status, unit.restartPreventExitStatus());
        boolean clean = ExitStatuses.clean(status, unit.type().isDaemon())
                || ExitStatuses.listed(status, unit.successExitStatus());
        boolean ignore = mainCommand != null && mainCommand.ignoresFailure();
        ServiceResult f = clean || ignore ? ServiceResult.SUCCESS : ExitStatuses.serviceResult(status);
        if (!clean || LOG.isLoggable(Level.DEBUG)) {
            LOG.log(clean ? Level.DEBUG : Level.INFO, name + ": Main process exited, " + ExitStatuses.describe(status)
                    + (ignore && !clean ? " (ignoring)" : ""));
        }
        switch (state) {
            case START -> {
                if (f != ServiceResult.SUCCESS) {
                    enterSignal(ServiceState.STOP_SIGTERM, f);
                } else if (unit.type().isForking()) {
                    forkingParentExited();
                } else if (unit.type().isOneshot()) {
                    if (mainQueue.isEmpty()) {
                        enterStartPost();
                    } else {
                        spawnNextMain();
                    }
                } else {
                    // Type=notify exited before READY=1.
                    LOG.log(Level.WARNING, name + ": Main process exited before sending READY=1.");
                    enterSignal(ServiceState.STOP_SIGTERM, ServiceResult.PROTOCOL);
                }
            }
            case RUNNING -> enterRunning(f);
            case START_POST, STOP, RELOAD -> fail(f);   // the control process decides what comes next
            case STOP_SIGTERM, STOP_SIGKILL -> {
                fail(f);
                if (!somethingLeft()) {
                    enterStopPost(ServiceResult.SUCCESS);
                } else {
                    pollGroupsIfNeeded();
                }
            }
            case FINAL_SIGTERM, FINAL_SIGKILL -> {
                fail(f);
                if (!somethingLeft()) {
                    enterDead(ServiceResult.SUCCESS, true);
                } else {
                    pollGroupsIfNeeded();
                }
            }
            default -> fail(f);
        }
    }

    private void controlExited(ExitStatus status) {
        ServiceResult f = ExitStatuses.controlSucceeded(name, controlCommand, status) ? ServiceResult.SUCCESS
                : ExitStatuses.serviceResult(status);
        control = null;
        if (f == ServiceResult.SUCCESS && !controlQueue.isEmpty()) {
            spawnNextControl();
            return;
        }
        switch (state) {
            case START_PRE -> {
                if (f == ServiceResult.SUCCESS) {
                    enterStart();
                } else {
                    enterSignal(ServiceState.STOP_SIGTERM, f);
                }
            }
            case START_POST -> enterRunning(f);
            case RELOAD -> reloadDone(f);
            case STOP -> enterSignal(ServiceState.STOP_SIGTERM, f);
            case STOP_SIGTERM, STOP_SIGKILL -> {
                fail(f);
                if (!somethingLeft()) {
                    enterStopPost(ServiceResult.SUCCESS);
                }
            }
            case STOP_POST -> enterSignal(ServiceState.FINAL_SIGTERM, f);
            case FINAL_SIGTERM, FINAL_SIGKILL -> {
                fail(f);
                if (!somethingLeft()) {
                    enterDead(ServiceResult.SUCCESS, true);
                }
            }
            default -> fail(f);
        }
    }

    // ---- sd_notify -------------------------------------------------------------------------------------------

    /** One datagram from NOTIFY_SOCKET: READY=1, STATUS=, STOPPING=1, MAINPID=. */
    void notified(Map<String, String> message) {
        String status = message.get("STATUS");
        if (status != null) {
            statusText = status;
            LOG.log(Level.DEBUG, () -> name + ": Status: " + status);
        }
        String mainPid = message.get("MAINPID");
        if (mainPid != null && mainPid.chars().allMatch(Character::isDigit) && !mainPid.isEmpty()) {
            int pid = Integer.parseInt(mainPid);
            if (main == null || pid != main.pid()) {
                mainPidOverride = pid;
            }
        }
        if ("1".equals(message.get("READY")) && state == ServiceState.START && unit.type().isNotify()) {
            enterStartPost();
        }
        if ("1".equals(message.get("STOPPING")) && state == ServiceState.RUNNING) {
            // The service stops on its own: wait for it as if we had sent the signal.
            setState(ServiceState.STOP_SIGTERM);
            armTimer(unit.timeoutStop());
        }
    }

    /** A path for a new notify socket, removed again by {@link NotifySocket#close}. */
    Path notifyPath() {
        return manager.notifySocketPath();
    }

    static void removeQuietly(Path path) {
        try {
            PosixFiles.unlink(path.toString());
        } catch (ErrnoException ignored) {
            // nothing to clean up
        }
    }
}
