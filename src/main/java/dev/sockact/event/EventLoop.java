package dev.sockact.event;

import dev.sockact.posix.Epoll;
import dev.sockact.posix.ErrnoException;
import dev.sockact.posix.EventFd;
import dev.sockact.posix.ExitStatus;
import dev.sockact.posix.Pidfd;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;

/**
 * One single-threaded epoll loop: fd readiness, timers, child exits (through
 * pidfds) and tasks posted from other threads. Everything but
 * {@link #execute(Runnable)} and {@link #stop()} must be called on the loop thread.
 *
 * <p>A handler that throws does not stop the loop: the failure goes to
 * {@link #onHandlerFailure(Consumer)} and the loop carries on, so one bad
 * connection never takes a server down.
 */
public final class EventLoop implements AutoCloseable {
    /** Called with the ready event mask (EPOLLIN, EPOLLOUT, EPOLLHUP, ...). */
    @FunctionalInterface
    public interface IoHandler {
        void ready(int events) throws Exception;
    }

    private static final int MAX_EVENTS = 512;
    private static final System.Logger LOG = System.getLogger(EventLoop.class.getName());

    private final Epoll epoll;
    private final EventFd wakeup;
    private final Queue<Runnable> posted = new ConcurrentLinkedQueue<>();
    private final PriorityQueue<Timer> timers = new PriorityQueue<>();
    /** Cancelled timers still in {@link #timers}; purged past {@link #PURGE_AT_LEAST} and half the queue. */
    private int cancelledTimers;
    private static final int PURGE_AT_LEAST = 64;
    private Watch[] watches = new Watch[64];
    /** Free slots as an int stack: no boxing on the per-connection path. */
    private int[] freeSlots = new int[64];
    private int freeCount;
    private int nextSlot = 1;
    private long timerSequence;
    private long watchGeneration;
    /** How many times epoll_wait has returned: a handler called in consecutive rounds is under a stream of events. */
    private long rounds;
    /** Tasks for the end of this round's events ({@link #atRoundEnd}), before the posted tasks and the timers. */
    private final List<Runnable> roundEnd = new ArrayList<>();
    /** Between epoll_wait's return and the round-end tasks: the event handlers are running. */
    private boolean dispatching;
    /** Set by stop(), never cleared: a stop that comes before run() starts is not lost. */
    private volatile boolean stopRequested;
    private Thread thread;
    /** Set by {@link #pollBeforeSleeping}: how long to poll for events before each sleep; null for never. */
    private BusyPoll busyPoll;
    private Consumer<Throwable> failureHandler = t -> LOG.log(System.Logger.Level.DEBUG, "handler failed", t);

    private EventLoop(Epoll epoll, EventFd wakeup) {
        this.epoll = epoll;
        this.wakeup = wakeup;
    }

    public static EventLoop create() throws ErrnoException {
        Epoll epoll = Epoll.create(MAX_EVENTS);
        EventFd wakeup;
        try {
            wakeup = EventFd.create();
            epoll.add(wakeup.fd(), Epoll.EPOLLIN, 0L);
        } catch (ErrnoException e) {
            epoll.close();
            throw e;
        }
        return new EventLoop(epoll, wakeup);
    }

    /** Where exceptions thrown by handlers, timers and tasks go. */
    public void onHandlerFailure(Consumer<Throwable> handler) {
        this.failureHandler = handler;
    }

    /**
     * Watches {@code fd} for {@code interest} (EPOLLIN/EPOLLOUT/...). The watch
     * must be cancelled before the fd is closed.
     */
    public Watch watch(int fd, int interest, IoHandler handler) throws ErrnoException {
        int slot = freeCount == 0 ? nextSlot++ : freeSlots[--freeCount];
        if (slot >= watches.length) {
            watches = Arrays.copyOf(watches, watches.length * 2);
        }
        // The generation in the token's high half tells a stale event for a reused slot from a live one.
        Watch w = new Watch(this, fd, slot, (++watchGeneration << 32) | slot, handler, interest);
        epoll.add(fd, interest, w.token());
        watches[slot] = w;
        return w;
    }

    void modify(Watch w, int interest) throws ErrnoException {
        epoll.modify(w.fd(), interest, w.token());
    }

    void release(Watch w) {
        epoll.remove(w.fd());
        forget(w);
    }

    void forget(Watch w) {
        if (watches[w.slot()] == w) {
            watches[w.slot()] = null;
            if (freeCount == freeSlots.length) {
                freeSlots = Arrays.copyOf(freeSlots, freeCount * 2);
            }
            freeSlots[freeCount++] = w.slot();
        }
    }

    /** Runs {@code task} on the loop after {@code delayNanos}. */
    public Timer schedule(long delayNanos, Runnable task) {
        Timer t = new Timer(this, System.nanoTime() + Math.max(0, delayNanos), timerSequence++, task);
        timers.add(t);
        return t;
    }

    /**
     * A queued timer was cancelled. It stays in the queue until its deadline, which for a state timeout is 90 s
     * away by default: a daemon that starts and stops 1000 instances a second would pile up 90 000 of them.
     * Once cancelled timers are more than half the queue, they are purged in one pass (amortised O(1) each).
     */
    void timerCancelled() {
        cancelledTimers++;
        if (cancelledTimers > PURGE_AT_LEAST && cancelledTimers > timers.size() / 2) {
            timers.removeIf(t -> t.isCancelled() && t.dequeued() == null);
            cancelledTimers = 0;
        }
    }

    /** Calls {@code onExit} on the loop once the child behind {@code pidfd} has exited (and been reaped). */
    public void watchExit(Pidfd pidfd, Consumer<ExitStatus> onExit) throws ErrnoException {
        Watch[] self = new Watch[1];
        self[0] = watch(pidfd.fd(), Epoll.EPOLLIN, events -> {
            var status = pidfd.poll();
            if (status.isPresent()) {
                self[0].cancel();
                pidfd.close();
                onExit.accept(status.get());
            }
        });
    }

    /**
     * Runs {@code task} on the loop thread; safe from any thread. From the loop thread itself no wake-up is needed
     * (every state change posts one, a few per activation): the loop runs what is posted before it waits again.
     */
    public void execute(Runnable task) {
        posted.add(task);
        if (Thread.currentThread() != thread) {
            wakeup.signal();
        }
    }

    /** Makes {@link #run()} return after the current iteration; safe from any thread. */
    public void stop() {
        stopRequested = true;
        wakeup.signal();
    }

    public boolean inLoopThread() {
        return Thread.currentThread() == thread;
    }

    /** The current round: how many times the loop's epoll_wait has returned (loop thread only). */
    public long rounds() {
        return rounds;
    }

    /** Runs until {@link #stop()}. */
    public void run() throws ErrnoException {
        thread = Thread.currentThread();
        while (!stopRequested) {
            int n = busyPoll == null ? epoll.await(nextTimeoutMillis()) : awaitPolling();
            rounds++;
            dispatching = true;
            for (int i = 0; i < n; i++) {
                long token = epoll.readyToken(i);
                if (token == 0L) {
                    wakeup.drain();
                    continue;
                }
                dispatch(token, epoll.readyEvents(i));
            }
            runRoundEnd();
            runPosted();
            runDueTimers();
        }
    }

    /**
     * Polls for events before sleeping for up to {@code maxNanos} (adapted, see {@link BusyPoll}), or never if 0.
     * Called before {@link #run} or on the loop's thread.
     */
    public void pollBeforeSleeping(long maxNanos) {
        busyPoll = maxNanos > 0 ? new BusyPoll(maxNanos) : null;
    }

    /** epoll_wait, first polling for as long as the busy-poll window says, yielding the CPU between polls. */
    private int awaitPolling() throws ErrnoException {
        int n = epoll.await(0);
        if (n > 0 || nextTimeoutMillis() == 0) {
            return n;
        }
        long idleSince = System.nanoTime();
        long window = busyPoll.windowNanos();
        while (System.nanoTime() - idleSince < window) {
            Thread.yield();
            n = epoll.await(0);
            if (n > 0) {
                busyPoll.idleEnded(System.nanoTime() - idleSince);
                return n;
            }
        }
        n = epoll.await(nextTimeoutMillis());
        busyPoll.idleEnded(System.nanoTime() - idleSince);
        return n;
    }

    private void dispatch(long token, int events) {
        int slot = (int) token;
        Watch w = slot < watches.length ? watches[slot] : null;
        // A watch cancelled earlier in this batch (and maybe its slot reused) is skipped.
        if (w == null || w.token() != token) {
            return;
        }
        try {
            w.handler().ready(events);
        } catch (Throwable t) {
            failureHandler.accept(t);
        }
    }

    /**
     * Runs {@code task} once, when the handlers of this round's events have run (loop thread only): what they queued
     * can then go out in one system call, a sendmmsg of the replies several sessions read, say. Called from a posted
     * task or a timer, outside the handlers, it runs as a posted task: soon, not at the end of a later round.
     */
    public void atRoundEnd(Runnable task) {
        if (dispatching) {
            roundEnd.add(task);
        } else {
            execute(task);
        }
    }

    private void runRoundEnd() {
        for (int i = 0; i < roundEnd.size(); i++) {
            runSafely(roundEnd.get(i));
        }
        roundEnd.clear();
        dispatching = false;
    }

    private void runPosted() {
        Runnable task;
        while ((task = posted.poll()) != null) {
            runSafely(task);
        }
    }

    private void runDueTimers() {
        long now = System.nanoTime();
        while (!timers.isEmpty() && timers.peek().deadline() - now <= 0) {
            Runnable task = dequeue();
            if (task != null) {
                runSafely(task);
            }
        }
    }

    /** Timers in the queue, cancelled ones not yet purged included (for tests). */
    int pendingTimers() {
        return timers.size();
    }

    /** Takes the earliest timer off the queue: its task, or null if it was cancelled. */
    private Runnable dequeue() {
        Runnable task = timers.poll().dequeued();
        if (task == null) {
            cancelledTimers--;
        }
        return task;
    }

    private void runSafely(Runnable task) {
        try {
            task.run();
        } catch (Throwable t) {
            failureHandler.accept(t);
        }
    }

    private int nextTimeoutMillis() {
        if (!posted.isEmpty()) {
            return 0;
        }
        while (!timers.isEmpty() && timers.peek().isCancelled()) {
            dequeue();
        }
        if (timers.isEmpty()) {
            return -1;
        }
        long nanos = timers.peek().deadline() - System.nanoTime();
        // Round up so a timer never fires early and the loop never spins on a 0 ms wait.
        return nanos <= 0 ? 0 : (int) Math.min(Integer.MAX_VALUE, (nanos + 999_999) / 1_000_000);
    }

    @Override
    public void close() {
        wakeup.close();
        epoll.close();
    }
}
