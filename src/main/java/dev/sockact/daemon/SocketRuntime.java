package dev.sockact.daemon;

import dev.sockact.activation.ConnectionAcceptor;
import dev.sockact.activation.ListenEnvironment;
import dev.sockact.activation.ListenPorts;
import dev.sockact.activation.ListenSockets;
import dev.sockact.activation.OptionFailure;
import dev.sockact.ctl.SocketCounters;
import dev.sockact.metrics.Histogram;
import dev.sockact.event.Watch;
import dev.sockact.posix.Epoll;
import dev.sockact.posix.Errno;
import dev.sockact.posix.ErrnoException;
import dev.sockact.posix.ExitStatus;
import dev.sockact.posix.Fd;
import dev.sockact.posix.MessageQueues;
import dev.sockact.posix.PosixFiles;
import dev.sockact.posix.Signals;
import dev.sockact.posix.Users;
import dev.sockact.unit.ExecCommand;
import dev.sockact.unit.ListenSpec;
import dev.sockact.unit.SocketUnit;
import dev.sockact.unit.UnitInfo;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * One socket unit's state machine, after systemd's socket.c (Accept=no): start-pre, (open), start-chown,
 * start-post, listening, running, stop-pre, stop-post, final-sigterm/sigkill, then dead or failed. Every
 * transition goes through {@link #setState}, which watches the fds only in listening and closes them in the states
 * that do not keep them; {@link #result} keeps the first failure.
 */
final class SocketRuntime implements ManagedUnit {
    private static final System.Logger LOG = System.getLogger("sockactd");
    /** Connections accepted per wake-up of one listening fd at most (Accept=yes). */
    static final int ACCEPT_BATCH = 16;

    private final UnitContext manager;
    private SocketUnit unit;
    private final String name;
    private final ServiceRuntime service;
    private final RateLimit triggerLimit;
    private final List<ListenPorts.OpenPort> ports = new ArrayList<>();
    private final Map<ListenPorts.OpenPort, Watch> watches = new IdentityHashMap<>();
    /** PollLimitIntervalSec=/PollLimitBurst=, per open port (as systemd's limit is per event source). */
    private final Map<ListenPorts.OpenPort, PollLimit> pollLimits = new IdentityHashMap<>();
    /** How often a port was paused by its poll limit since the socket started (sockctl status). */
    private long pollLimitHits;
    /** How often the trigger limit stopped the socket since it was loaded, and each trigger's time to ready. */
    private long triggerLimitHits;
    private final Histogram triggerToReady = new Histogram(Histogram.LATENCY_SECONDS);
    private final List<Path> createdLinks = new ArrayList<>();
    private final ArrayDeque<ExecCommand> controlQueue = new ArrayDeque<>();

    private SocketState state = SocketState.DEAD;
    private SocketResult result = SocketResult.SUCCESS;
    private ExecCommand controlCommand;
    private Child control;
    private final StateTimeout<SocketState> timeout;
    /** A stop was asked of the active socket ({@link #stop}): "Closed ..." once it is down. */
    private boolean stopJob;
    /** systemd's n_accepted, n_connections and n_refused (Accept=yes counts them; 0 otherwise). */
    private long accepted;
    private long refused;
    /** Accept=yes: the slots of MaxConnections=/MaxConnectionsPerSource=, and the instances alive now. */
    private final ConnectionAcceptor acceptor;
    private final Set<ServiceRuntime> instances = new LinkedHashSet<>();
    private final UnitTimes times = new UnitTimes();
    private final StartChecks startChecks = new StartChecks();

    /** @param service the service to start, or null for Accept=yes (an instance per connection instead) */
    SocketRuntime(UnitContext manager, SocketUnit unit, ServiceRuntime service) {
        this.manager = manager;
        this.timeout = new StateTimeout<>(manager, () -> state, this::timedOut);
        this.unit = unit;
        this.name = unit.name().toString();
        this.service = service;
        this.triggerLimit = new RateLimit(unit.triggerLimitInterval().toNanos(), unit.triggerLimitBurst());
        this.acceptor = unit.accept() ? new ConnectionAcceptor(unit.maxConnections(), unit.maxConnectionsPerSource())
                : null;
        if (service != null) {
            service.addSocket(this);
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public UnitInfo info() {
        return unit.unit();
    }

    @Override
    public ActiveState activeState() {
        return state.activeState();
    }

    SocketState state() {
        return state;
    }

    SocketResult result() {
        return result;
    }

    SocketUnit unit() {
        return unit;
    }

    ServiceRuntime service() {
        return service;
    }

    UnitTimes times() {
        return times;
    }

    @Override
    public StartChecks startChecks() {
        return startChecks;
    }

    /** daemon-reload with unchanged Listen settings: the new definition applies, the fds stay. */
    void reloaded(SocketUnit newUnit) {
        this.unit = newUnit;
    }

    /** Connections accepted since the socket was loaded (systemd's NAccepted). */
    long accepted() {
        return accepted;
    }

    /** Accept=yes: the instances alive now (status lists them under Triggers:). */
    Collection<ServiceRuntime> instances() {
        return Collections.unmodifiableSet(instances);
    }

    /** Accept=yes instances alive now (systemd's NConnections). */
    int connected() {
        return acceptor == null ? 0 : acceptor.connected();
    }

    /** How often the poll limit paused a listening fd since the socket started. */
    long pollLimitHits() {
        return pollLimitHits;
    }

    /** Connections accepted and closed at once because of a limit (systemd's NRefused). */
    long refused() {
        return refused;
    }

    /** The counts sockctl status and show print and the metrics export. */
    SocketCounters counters() {
        return new SocketCounters(accepted, connected(), refused, pollLimitHits, triggerLimitHits,
                triggerToReady.count(), Math.round(triggerToReady.sumSeconds() * 1e6));
    }

    /** From each trigger to its service's readiness (seconds); written and read on the manager's loop. */
    Histogram triggerToReady() {
        return triggerToReady;
    }

    /** A service this socket triggered became active {@code nanos} after the trigger. */
    void ready(long nanos) {
        triggerToReady.observeNanos(nanos);
    }

    // ---- state -----------------------------------------------------------------------------------------------

    private void setState(SocketState next) {
        SocketState previous = state;
        state = next;
        if (next != SocketState.LISTENING || manager.shuttingDown()) {
            unwatch();
        }
        if (!next.keepsFdsOpen()) {
            if (service != null) {
                service.dropStandby();   // it holds copies of them: closed here too, so they can be bound again
            }
            closeFds();
        }
        if (!next.hasControlProcess()) {
            timeout.cancel();
        }
        if (!next.hasControlProcess()) {
            control = null;
            controlQueue.clear();
        }
        if (previous != next) {
            times.changed(previous.activeState(), next.activeState());
            LOG.log(Level.DEBUG, () -> name + ": Changed " + previous + " -> " + next);
        }
        if (stopJob && next.isInactive()) {
            stopJob = false;
            LOG.log(Level.INFO, "Closed " + describe() + ".");   // the stop job's message, as systemd's
        }
        manager.unitChanged();
    }

    private void fail(SocketResult f) {
        result = SocketResult.firstFailure(result, f);
    }

    private void armTimer() {
        timeout.arm(unit.timeout());
    }

    /**
     * socket_watch_fds(): every fd watched (but those its poll limit has paused, which come back by themselves),
     * or none and the error (an fd epoll cannot watch, such as a regular file given to ListenSpecial=, is EPERM).
     */
    private ErrnoException watch() {
        for (ListenPorts.OpenPort port : ports) {
            PollLimit poll = pollLimits.get(port);
            if (watches.containsKey(port) || (poll != null && poll.paused())) {
                continue;
            }
            try {
                watches.put(port, manager.watch(port.fd().fd(), Epoll.EPOLLIN, events -> ready(port, events)));
            } catch (ErrnoException e) {
                LOG.log(Level.WARNING, name + ": Failed to watch listening fds: " + e.reason());
                unwatch();
                return e;
            }
        }
        return null;
    }

    private void unwatch() {
        watches.values().forEach(Watch::cancel);
        watches.clear();
    }

    /**
     * Counts one poll of {@code port} at {@code now}; one too many pauses the port for the rest of the interval (its
     * watch goes, and comes back when the interval ends if the socket is still listening) and returns false. The
     * trigger it leads to is counted at the same {@code now}: the two limits' windows begin and end together, so
     * the poll limit's smaller burst pauses a flood before the trigger limit fails the socket, as systemd means them
     * to (a clock read for each let the trigger window outlast a resumed poll window by the microseconds between).
     */
    private boolean polled(ListenPorts.OpenPort port, long now) {
        PollLimit poll = pollLimits.get(port);
        if (poll == null || poll.allows(now)) {
            return true;
        }
        Watch watch = watches.remove(port);
        if (watch != null) {
            watch.cancel();
        }
        pollLimitHits++;
        // Logged once per start with the bound; a flood that goes on pauses the port again every interval.
        Level level = pollLimitHits == 1 ? Level.INFO : Level.DEBUG;
        LOG.log(level, () -> name + ": Poll limit hit on " + port.spec().addressText() + " (PollLimitBurst="
                + unit.pollLimitBurst() + " per PollLimitIntervalSec=" + unit.pollLimitInterval().format()
                + "), pausing it for the rest of the interval.");
        poll.pause(manager, now, () -> resumePolling(port));
        return false;
    }

    private void resumePolling(ListenPorts.OpenPort port) {
        if (state != SocketState.LISTENING || manager.shuttingDown() || watches.containsKey(port)
                || !pollLimits.containsKey(port)) {
            return;   // not listening now: enterListening() watches it when the socket listens again
        }
        ErrnoException refused = watch();
        if (refused != null) {
            enterStopPre(SocketResult.RESOURCES);
        }
    }

    // ---- start -----------------------------------------------------------------------------------------------

    @Override
    public void start() {
        if (!state.isInactive()) {
            return;
        }
        // (Accept=yes sockets have no one service: each connection gets its own instance.)
        if (service != null && !service.state().isInactive() && service.state() != ServiceState.AUTO_RESTART) {
            // socket_start(): the running service holds the old fds; new ones could not bind, or would shadow them.
            LOG.log(Level.ERROR, name + ": Socket service " + service.name() + " already active, refusing.");
            return;
        }
        result = SocketResult.SUCCESS;
        triggerLimit.reset();
        pollLimitHits = 0;
        if (unit.execStartPre().isEmpty()) {
            enterOpen();
            return;
        }
        setState(SocketState.START_PRE);
        armTimer();
        runControl(unit.execStartPre());
    }

    /** socket_open_fds(), then the chown step, then ExecStartPost=. */
    private void enterOpen() {
        for (ListenSpec spec : unit.listens()) {
            try {
                ListenPorts.OpenPort port = ListenPorts.open(spec, unit);
                ports.add(port);
                pollLimits.put(port, new PollLimit(unit.pollLimitInterval().toNanos(), unit.pollLimitBurst()));
                for (OptionFailure warning : port.warnings()) {
                    LOG.log(Level.WARNING, name + ": " + warning.message());
                }
            } catch (IOException e) {
                String reason = e instanceof ErrnoException errno ? errno.reason() : e.getMessage();
                LOG.log(Level.ERROR, name + ": Failed to create listening socket (" + spec.addressText() + "): "
                        + reason);
                closeFds();
                enterStopPre(SocketResult.RESOURCES);
                return;
            }
        }
        createSymlinks();
        if (!unit.socketUser().isEmpty() || !unit.socketGroup().isEmpty()) {
            setState(SocketState.START_CHOWN);
            try {
                chownNodes();
            } catch (IOException e) {
                String reason = e instanceof ErrnoException errno ? errno.reason() : e.getMessage();
                LOG.log(Level.ERROR, name + ": Failed to chown socket nodes: " + reason);
                enterStopPre(SocketResult.RESOURCES);
                return;
            }
        }
        if (unit.execStartPost().isEmpty()) {
            enterListening();
            return;
        }
        setState(SocketState.START_POST);
        armTimer();
        runControl(unit.execStartPost());
    }

    private void chownNodes() throws IOException {
        int uid = -1;
        int gid = -1;
        if (!unit.socketUser().isEmpty()) {
            Users.User user = numeric(unit.socketUser()) ? null : Users.user(unit.socketUser())
                    .orElseThrow(() -> new IOException("Failed to resolve user " + unit.socketUser() + ": No such process"));
            uid = user == null ? Integer.parseInt(unit.socketUser()) : user.uid();
            gid = user == null ? -1 : user.gid();
        }
        if (!unit.socketGroup().isEmpty()) {
            gid = numeric(unit.socketGroup()) ? Integer.parseInt(unit.socketGroup()) : Users.groupId(unit.socketGroup())
                    .orElseThrow(() -> new IOException("Failed to resolve group " + unit.socketGroup() + ": No such process"));
        }
        for (ListenPorts.OpenPort port : ports) {
            Path node = port.spec().fileSystemNode();
            if (node != null) {
                PosixFiles.chown(node.toString(), uid, gid);
            }
        }
    }

    private static boolean numeric(String s) {
        return !s.isEmpty() && s.chars().allMatch(Character::isDigit);
    }

    /** Symlinks=: links to the one file-system node; a failure is only a warning, as in systemd. */
    private void createSymlinks() {
        Path node = unit.listens().stream().map(ListenSpec::fileSystemNode).filter(Objects::nonNull)
                .findFirst().orElse(null);
        if (node == null) {
            return;
        }
        for (Path link : unit.symlinks()) {
            try {
                if (link.getParent() != null) {
                    ListenSockets.makeDirectories(link.getParent(), unit.directoryMode());
                }
                if (Files.isSymbolicLink(link) && Files.readSymbolicLink(link).equals(node)) {
                    createdLinks.add(link);
                    continue;
                }
                try {
                    PosixFiles.symlink(node.toString(), link.toString());
                } catch (ErrnoException e) {
                    if (e.errno() != Errno.EEXIST.number() || !unit.removeOnStop()) {
                        throw e;
                    }
                    PosixFiles.unlink(link.toString());
                    PosixFiles.symlink(node.toString(), link.toString());
                }
                createdLinks.add(link);
            } catch (IOException e) {
                String reason = e instanceof ErrnoException errno ? errno.reason() : e.getMessage();
                LOG.log(Level.WARNING, name + ": Failed to create symlink " + link + ", ignoring: " + reason);
            }
        }
    }

    /** socket_enter_listening(): the fds are watched first; if they cannot be, the socket fails instead. */
    private void enterListening() {
        if (!manager.shuttingDown()) {
            ErrnoException refused = watch();
            if (refused != null) {
                LOG.log(Level.WARNING, name + ": Failed to watch sockets: " + refused.reason());
                enterStopPre(SocketResult.RESOURCES);
                return;
            }
        }
        boolean started = state != SocketState.RUNNING && state != SocketState.LISTENING;
        setState(SocketState.LISTENING);
        if (started) {
            LOG.log(Level.INFO, "Listening on " + describe() + ".");   // the start job's; not after each service run
        }
        if (acceptor == null && service != null) {
            manager.loop().execute(service::prepareStandby);   // once this round is done: not on its path
        }
    }

    @Override
    public String describe() {
        return unit.unit().description().isEmpty() ? name : unit.unit().description();
    }

    // ---- activation ------------------------------------------------------------------------------------------

    private void ready(ListenPorts.OpenPort port, int events) {
        if (state != SocketState.LISTENING) {
            return;
        }
        if ((events & (Epoll.EPOLLHUP | Epoll.EPOLLERR)) != 0) {
            if ((events & Epoll.EPOLLHUP) != 0) {
                LOG.log(Level.ERROR, name + ": Got POLLHUP on a listening socket. The service probably invoked"
                        + " shutdown() on it, and should better not do that.");
            } else {
                LOG.log(Level.ERROR, name + ": Got unexpected poll event (0x" + Integer.toHexString(events)
                        + ") on socket.");
            }
            enterStopPre(SocketResult.RESOURCES);
            return;
        }
        if (acceptor != null) {
            acceptConnections(port);
            return;
        }
        long now = System.nanoTime();
        if (!polled(port, now)) {
            return;
        }
        if (!triggerLimit.below(now)) {
            LOG.log(Level.WARNING, name + ": Trigger limit hit, refusing further activation.");
            triggerLimitHits++;
            enterStopPre(SocketResult.TRIGGER_LIMIT_HIT);
            return;
        }
        service.triggered(this);
        service.spawnAhead();   // before the bookkeeping below, when the start it leads to cannot be held back
        setState(SocketState.RUNNING);
        manager.startJob(service);
        service.dropUnclaimedAhead();
    }

    /**
     * Accept=yes (socket_dispatch_io(), socket_enter_running(cfd)): accepts what is waiting, at most
     * {@link #ACCEPT_BATCH} per wake-up so other units get their turn (the fd stays readable and we come back).
     */
    private void acceptConnections(ListenPorts.OpenPort port) {
        if (manager.shuttingDown()) {
            unwatch();   // "Suppressing connection request since unit stop is scheduled."
            return;
        }
        for (int i = 0; i < ACCEPT_BATCH && state == SocketState.LISTENING; i++) {
            // systemd accepts one connection per poll; each accept here counts as the poll it would have been.
            long now = System.nanoTime();
            if (!polled(port, now)) {
                return;
            }
            ConnectionAcceptor.Connection connection;
            try {
                connection = acceptor.accept(port.fd());
            } catch (ErrnoException e) {
                LOG.log(Level.ERROR, name + ": Failed to accept connection on " + port.spec().addressText() + ": "
                        + e.reason());
                enterStopPre(SocketResult.RESOURCES);
                return;
            }
            if (connection == null) {
                pollLimits.get(port).uncount();   // nothing was waiting: systemd would not have been woken
                return;
            }
            startInstance(connection, now);
        }
    }

    private void startInstance(ConnectionAcceptor.Connection connection, long now) {
        if (!triggerLimit.below(now)) {
            LOG.log(Level.WARNING, name + ": Trigger limit hit, refusing further activation.");
            triggerLimitHits++;
            connection.close();
            refused++;
            enterStopPre(SocketResult.TRIGGER_LIMIT_HIT);
            return;
        }
        ConnectionAcceptor.Refusal refusal = acceptor.admit(connection);
        if (refusal != null) {
            connection.close();
            refused++;
            LOG.log(refusal.report() ? Level.WARNING : Level.DEBUG, name + ": " + refusal.message());
            return;
        }
        String instanceName = unit.serviceName().withInstance(connection.instance(accepted)).toString();
        ServiceRuntime instance = manager.loadInstance(this, instanceName, connection);
        if (instance == null) {
            acceptor.release(connection);
            connection.close();
            LOG.log(Level.WARNING, name + ": Failed to queue service startup job (Maybe the service file is missing"
                    + " or not a template unit?): " + instanceName + " did not load");
            enterStopPre(SocketResult.RESOURCES);
            return;
        }
        accepted++;
        instances.add(instance);
        LOG.log(Level.DEBUG, () -> name + ": Incoming connection from " + connection.peer() + ", starting "
                + instanceName + " (connections now " + connected() + ").");
        instance.triggered(this);
        manager.startJob(instance);
    }

    /** An Accept=yes instance ended (exit, crash, failed start, killed): its slot comes back. */
    void instanceEnded(ServiceRuntime instance, ConnectionAcceptor.Connection connection) {
        acceptor.release(connection);
        instances.remove(instance);
        LOG.log(Level.DEBUG, () -> name + ": " + instance.name() + " ended, connections now " + connected()
                + " (accepted " + accepted + ", refused " + refused + ").");
        manager.instanceEnded(instance);
    }

    /** socket_trigger_notify(): follows the service it activates. */
    void serviceStateChanged(ServiceRuntime changed) {
        ServiceState s = changed.state();
        if (state == SocketState.RUNNING && s.releasesSocket()) {
            if (changed.result() == ServiceResult.START_LIMIT_HIT) {
                enterStopPre(SocketResult.SERVICE_START_LIMIT_HIT);
            } else {
                enterListening();
            }
        } else if (state == SocketState.LISTENING && !s.releasesSocket() && s.activeState() != ActiveState.DEACTIVATING) {
            setState(SocketState.RUNNING);   // started through another socket: it has our fds too
        }
    }

    /** Our fds in Listen= order, each named FileDescriptorName= (service_collect_fds()). */
    void collectFds(List<Fd> fds, List<String> names) {
        if (!state.keepsFdsOpen()) {
            return;
        }
        for (ListenPorts.OpenPort port : ports) {
            fds.add(port.fd());
            names.add(unit.fileDescriptorName());
        }
    }

    /** socket_reset_failed(). */
    @Override
    public void resetFailed() {
        if (state == SocketState.FAILED) {
            setState(SocketState.DEAD);
        }
        result = SocketResult.SUCCESS;
    }

    // ---- stop ------------------------------------------------------------------------------------------------

    @Override
    public void stop() {
        for (ServiceRuntime instance : List.copyOf(instances)) {
            instance.stop();   // Accept=yes: stopping the socket stops its instances
        }
        stopJob = !state.isInactive();
        switch (state) {
            case DEAD, FAILED -> manager.unitChanged();
            case START_PRE, START_CHOWN, START_POST -> enterSignal(SocketState.STOP_PRE_SIGTERM, SocketResult.SUCCESS);
            case LISTENING, RUNNING -> enterStopPre(SocketResult.SUCCESS);
            default -> { }
        }
    }

    private void enterStopPre(SocketResult f) {
        fail(f);
        if (unit.execStopPre().isEmpty()) {
            enterSignal(SocketState.STOP_PRE_SIGTERM, SocketResult.SUCCESS);
            return;
        }
        setState(SocketState.STOP_PRE);
        armTimer();
        runControl(unit.execStopPre());
    }

    private void enterStopPost(SocketResult f) {
        fail(f);
        if (unit.execStopPost().isEmpty()) {
            enterSignal(SocketState.FINAL_SIGTERM, SocketResult.SUCCESS);
            return;
        }
        // socket_enter_stop_post() spawns before it enters stop-post, whose entry closes the fds: so the first
        // ExecStopPost= command still gets them with PassFileDescriptorsToExec=, the next ones do not.
        runControl(unit.execStopPost());
        setState(SocketState.STOP_POST);
        armTimer();
    }

    private void enterSignal(SocketState next, SocketResult f) {
        fail(f);
        boolean kill = next == SocketState.STOP_PRE_SIGKILL || next == SocketState.FINAL_SIGKILL;
        if (control != null && !control.exited()) {
            control.signal(kill ? Signals.SIGKILL : Signals.SIGTERM, true);
            setState(next);
            armTimer();
            return;
        }
        if (next == SocketState.STOP_PRE_SIGTERM || next == SocketState.STOP_PRE_SIGKILL) {
            enterStopPost(SocketResult.SUCCESS);
        } else {
            enterDead(SocketResult.SUCCESS);
        }
    }

    private void enterDead(SocketResult f) {
        fail(f);
        if (result != SocketResult.SUCCESS) {
            LOG.log(Level.WARNING, name + ": Failed with result '" + result + "'.");
        }
        setState(result == SocketResult.SUCCESS ? SocketState.DEAD : SocketState.FAILED);
    }

    private void timedOut() {
        switch (state) {
            case START_PRE -> {
                LOG.log(Level.WARNING, name + ": Starting timed out. Terminating.");
                enterSignal(SocketState.FINAL_SIGTERM, SocketResult.TIMEOUT);
            }
            case START_CHOWN, START_POST -> {
                LOG.log(Level.WARNING, name + ": Starting timed out. Stopping.");
                enterStopPre(SocketResult.TIMEOUT);
            }
            case STOP_PRE -> {
                LOG.log(Level.WARNING, name + ": Stopping timed out. Terminating.");
                enterSignal(SocketState.STOP_PRE_SIGTERM, SocketResult.TIMEOUT);
            }
            case STOP_PRE_SIGTERM -> {
                LOG.log(Level.WARNING, name + ": Stopping timed out. Killing.");
                enterSignal(SocketState.STOP_PRE_SIGKILL, SocketResult.TIMEOUT);
            }
            case STOP_PRE_SIGKILL -> {
                LOG.log(Level.WARNING, name + ": Processes still around after SIGKILL. Ignoring.");
                enterStopPost(SocketResult.TIMEOUT);
            }
            case STOP_POST -> {
                LOG.log(Level.WARNING, name + ": Stopping timed out (2). Terminating.");
                enterSignal(SocketState.FINAL_SIGTERM, SocketResult.TIMEOUT);
            }
            case FINAL_SIGTERM -> {
                LOG.log(Level.WARNING, name + ": Stopping timed out (2). Killing.");
                enterSignal(SocketState.FINAL_SIGKILL, SocketResult.TIMEOUT);
            }
            case FINAL_SIGKILL -> {
                LOG.log(Level.WARNING, name + ": Still around after SIGKILL (2). Entering failed mode.");
                enterDead(SocketResult.TIMEOUT);
            }
            default -> { }
        }
    }

    // ---- control processes -----------------------------------------------------------------------------------

    private void runControl(List<ExecCommand> commands) {
        controlQueue.clear();
        controlQueue.addAll(commands);
        spawnNextControl();
    }

    private void spawnNextControl() {
        controlCommand = controlQueue.poll();
        ExecSpawner.Context context = new ExecSpawner.Context(name, manager.managerEnvironment(), List.of(),
                manager.userManager() ? System.getProperty("user.home") : "/");
        // PassFileDescriptorsToExec= (systemd 256): the fds open now, as the service would get them. ExecStartPre=
        // runs before they are opened, so it never gets any.
        List<Fd> fds = new ArrayList<>();
        List<String> names = new ArrayList<>();
        if (unit.passFileDescriptorsToExec()) {
            for (ListenPorts.OpenPort port : ports) {
                fds.add(port.fd());
                names.add(unit.fileDescriptorName());
            }
        }
        ExecSpawner.Stdio stdio = fds.isEmpty() ? ExecSpawner.Stdio.NONE
                : new ExecSpawner.Stdio(fds, null, null, null);
        Map<String, String> listen = fds.isEmpty() ? Map.of() : ListenEnvironment.variables(fds.size(), names);
        control = manager.spawn(controlCommand, context, stdio, listen, this::controlExited);
    }

    private void controlExited(Child child, ExitStatus status) {
        child.markExited();
        if (child != control) {
            return;
        }
        SocketResult f = ExitStatuses.controlSucceeded(name, controlCommand, status) ? SocketResult.SUCCESS
                : ExitStatuses.socketResult(status);
        if (f == SocketResult.SUCCESS && !controlQueue.isEmpty()) {
            spawnNextControl();
            return;
        }
        control = null;
        switch (state) {
            case START_PRE -> {
                if (f == SocketResult.SUCCESS) {
                    enterOpen();
                } else {
                    enterSignal(SocketState.FINAL_SIGTERM, f);
                }
            }
            case START_POST -> {
                if (f == SocketResult.SUCCESS) {
                    enterListening();
                } else {
                    enterStopPre(f);
                }
            }
            case STOP_PRE, STOP_PRE_SIGTERM, STOP_PRE_SIGKILL -> enterStopPost(f);
            case STOP_POST, FINAL_SIGTERM, FINAL_SIGKILL -> enterDead(f);
            default -> fail(f);
        }
    }

    // ---- fds -------------------------------------------------------------------------------------------------

    /** socket_close_fds(): closes, and with RemoveOnStop= removes the nodes, queues and symlinks. */
    private void closeFds() {
        if (ports.isEmpty()) {
            return;
        }
        unwatch();
        pollLimits.values().forEach(PollLimit::cancel);
        pollLimits.clear();
        for (ListenPorts.OpenPort port : ports) {
            port.fd().close();
            if (unit.removeOnStop()) {
                remove(port.spec());
            }
        }
        ports.clear();
        if (unit.removeOnStop()) {
            for (Path link : createdLinks) {
                ServiceRuntime.removeQuietly(link);
            }
        }
        createdLinks.clear();
    }

    private void remove(ListenSpec spec) {
        try {
            if (spec instanceof ListenSpec.MessageQueue queue) {
                MessageQueues.unlink(queue.name());
            } else if (spec.fileSystemNode() != null) {
                PosixFiles.unlink(spec.fileSystemNode().toString());
            }
        } catch (ErrnoException e) {
            LOG.log(Level.DEBUG, () -> name + ": Failed to remove " + spec.addressText() + ": " + e.reason());
        }
    }
}
