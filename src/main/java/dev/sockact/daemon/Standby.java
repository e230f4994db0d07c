package dev.sockact.daemon;

import dev.sockact.posix.Epoll;
import dev.sockact.posix.Errno;
import dev.sockact.posix.ErrnoException;
import dev.sockact.posix.ExitStatus;
import dev.sockact.posix.Fd;
import dev.sockact.posix.Signals;
import dev.sockact.posix.Sockets;
import dev.sockact.unit.ServiceUnit;

import java.lang.System.Logger.Level;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * A plain service's next main process, made ready before its socket's next trigger: the spawn that trigger would
 * make (the same context, command, sockets and journal stream) of the standby program instead
 * ({@link dev.sockact.posix.StandbyProgram}), which waits for a byte on a socket pair before it execs the command in
 * its own place. {@link #release} writes it that byte: the trigger costs the daemon one write instead of a spawn
 * (docs/sockactd.md, "A service kept ready").
 *
 * <p>It is made only from a context that {@link ServiceRuntime#reusable} keeps (nothing read at a start that could
 * have changed since), and taken only while that context, the command and the sockets are the very ones it was
 * made from ({@link #fits}); else it is {@link #letGo let go} and the trigger spawns as it would without it. Its
 * slot in {@link StandbySlots} is held until it is released or ends. Loop thread only.
 */
final class Standby {
    private static final System.Logger LOG = System.getLogger("sockactd");
    /** The bound on {@link #letGo}'s wait: the process only waits on its pair, and ends at once. */
    private static final int LET_GO_WAIT_MS = 1000;

    /** What it was made from, and what it stands for. */
    private final AheadSpawn ahead;
    /** Our end of the socket pair the process waits on; the other went to it with the request. */
    private final Fd go;
    private final StandbySlots slots;
    private final Consumer<Standby> ended;
    private Child child;
    /** Who hears of the exit once released: the service, as of its main process. Null until then. */
    private BiConsumer<Child, ExitStatus> owner;
    private Consumer<Child> ownerOnSpawned;
    private boolean slotHeld = true;

    private Standby(AheadSpawn ahead, Fd go, StandbySlots slots, Consumer<Standby> ended) {
        this.ahead = ahead;
        this.go = go;
        this.slots = slots;
        this.ended = ended;
    }

    /**
     * Spawns a standby of {@code unit}'s {@code ahead}, in a slot already taken from the manager's
     * {@link StandbySlots}; null where it cannot be made, the slot given back (the spawn at the trigger then meets
     * what stopped it, and reports it). {@code ended} hears of a standby that ended before it was released.
     */
    static Standby spawn(UnitContext manager, ServiceUnit unit, String service, AheadSpawn ahead,
                         Consumer<Standby> ended) {
        StandbySlots slots = manager.standbySlots();
        ServiceStdio.Prepared stdio;
        try {
            stdio = ServiceStdio.prepare(manager.loop(), manager.journal(), unit, service, ahead.command(),
                    ahead.fds(), true);
        } catch (ErrnoException e) {
            slots.give();
            return null;
        }
        Fd[] pair;
        try {
            pair = Sockets.socketPair(Sockets.SOCK_SEQPACKET);
        } catch (ErrnoException e) {
            abandon(stdio);
            slots.give();
            LOG.log(Level.DEBUG, () -> service + ": No standby: " + e.reason());
            return null;
        }
        Standby standby = new Standby(ahead, pair[0], slots, ended);
        Child child = manager.spawnStandby(ahead.command(), ahead.context(), stdio.stdio(), ahead.listenVariables(),
                pair[1], standby::exited, spawned -> {
                    stdio.spawned(spawned.pid());
                    stdio.closeChildEnds();
                    standby.spawned(spawned);
                });
        pair[1].close();   // the request took its copy
        if (child == null) {
            abandon(stdio);
            standby.go.close();
            standby.giveSlot();
            return null;
        }
        standby.child = child;
        return standby;
    }

    /** Stdio prepared for a spawn that did not happen: the child's ends closed, the streams read to their end. */
    private static void abandon(ServiceStdio.Prepared stdio) {
        stdio.closeChildEnds();
        stdio.spawned(0);
    }

    /** Whether this standby is {@code spawn} ({@link AheadSpawn#sameAs}), and still waits to be released. */
    boolean fits(AheadSpawn spawn) {
        return ahead.sameAs(spawn) && child != null && !child.exited() && owner == null;
    }

    /**
     * Tells the process to exec: from now on it is the service's main process, and {@code onExit} hears of its exit
     * (an exec that failed as 203/EXEC, logged as a spawn's is); {@code onSpawned} hears when its pid is known, at
     * once if it is. Null, the process being gone, if it cannot be told: spawn instead.
     */
    Child release(BiConsumer<Child, ExitStatus> onExit, Consumer<Child> onSpawned) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment one = arena.allocate(1);
            long r;
            do {
                r = Sockets.sendRaw(go.fd(), one, 1, Sockets.MSG_DONTWAIT | Sockets.MSG_NOSIGNAL);
            } while (r == -Errno.EINTR.number());
            if (r != 1) {
                letGo();
                return null;
            }
        }
        owner = onExit;
        ownerOnSpawned = onSpawned;
        giveSlot();
        if (child.pid() > 0) {
            onSpawned.accept(child);
        }
        return child;
    }

    /**
     * Ends the process before it was released, and waits (at most {@link #LET_GO_WAIT_MS}) until it is gone, so that
     * the sockets it holds copies of are closed when this returns: they may be bound again at once. Its exit is
     * reaped as any, where it is watched. One still being spawned (no pid yet) is waited for too: the end of file on
     * the pair comes once the spawn server and the process have both let go of their end.
     */
    void letGo() {
        if (child != null && !child.exited()) {
            LOG.log(Level.DEBUG, () -> ahead.context().unit() + ": Standby process "
                    + (child.pid() > 0 ? child.pid() + " " : "being spawned ") + "let go.");
            child.signal(Signals.SIGKILL, false);   // sent once its pid is known, if it is being spawned
        }
        if (!go.isOpen()) {
            return;
        }
        Sockets.shutdownRaw(go.fd(), Sockets.SHUT_WR);   // its read ends, before the signal if that waits for a pid
        if (!awaitEndOfFile()) {
            LOG.log(Level.WARNING, ahead.context().unit() + ": A standby process let go did not end within " + LET_GO_WAIT_MS
                    + " ms; its copies of the sockets may be open a while longer.");
        }
        go.close();
    }

    /**
     * The end of file on our end of the pair: every other holder of the process's end (the process, which closes
     * its descriptors in fd order as it exits, the sockets' copies first; the spawn server until it has spawned it)
     * has closed it. False after {@link #LET_GO_WAIT_MS}.
     */
    private boolean awaitEndOfFile() {
        long deadline = System.nanoTime() + LET_GO_WAIT_MS * 1_000_000L;
        try (Epoll epoll = Epoll.create(1); Arena arena = Arena.ofConfined()) {
            epoll.add(go.fd(), Epoll.EPOLLIN | Epoll.EPOLLRDHUP, 1);
            MemorySegment buffer = arena.allocate(ValueLayout.JAVA_INT);
            while (true) {
                long n = Sockets.recvRaw(go.fd(), buffer, Integer.BYTES, Sockets.MSG_DONTWAIT);
                if (n == 0 || (n < 0 && n != -Errno.EAGAIN.number() && n != -Errno.EINTR.number())) {
                    return true;   // the end of file, or the peer gone (ECONNRESET)
                }
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (n < 0 && left <= 0) {
                    return false;
                }
                if (n < 0) {
                    epoll.await((int) Math.max(1, left));
                }
            }
        } catch (ErrnoException e) {
            return false;
        }
    }

    private void spawned(Child spawned) {
        if (ownerOnSpawned != null) {
            ownerOnSpawned.accept(spawned);
        } else if (spawned.pid() > 0) {
            LOG.log(Level.DEBUG, () -> ahead.context().unit() + ": Standby process " + spawned.pid()
                    + " ready for the next activation.");
        }
    }

    private void exited(Child exited, ExitStatus status) {
        if (owner == null) {
            exited.markExited();   // reaped: never signalled again
            LOG.log(Level.DEBUG, () -> "Standby process " + exited.pid() + " of " + ahead.context().unit()
                    + " ended before its activation: " + status);
            go.close();
            giveSlot();
            ended.accept(this);
            return;
        }
        ExitStatus reported = status;
        if (status.signal() == 0 && status.code() == 127) {
            int errno = failedExec();
            if (errno > 0) {
                reported = ExitStatus.exited(status.pid(), ExecSpawner.execFailed(ahead.context(), ahead.command(), errno));
            }
        }
        go.close();
        owner.accept(exited, reported);
    }

    /** The errno the process wrote before it exited, if its exec failed; else 0. */
    private int failedExec() {
        if (!go.isOpen()) {
            return 0;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = arena.allocate(ValueLayout.JAVA_INT);
            // The process is gone, and so is its end: nothing to wait for, but never wait on the loop.
            long n = Sockets.recvRaw(go.fd(), errno, Integer.BYTES, Sockets.MSG_DONTWAIT);
            return n == Integer.BYTES ? errno.get(ValueLayout.JAVA_INT, 0) : 0;
        }
    }

    private void giveSlot() {
        if (slotHeld) {
            slotHeld = false;
            slots.give();
        }
    }

    @Override
    public String toString() {
        return "standby " + Objects.toString(child == null ? null : child.pid());
    }
}
