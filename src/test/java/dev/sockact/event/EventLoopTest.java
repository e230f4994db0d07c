package dev.sockact.event;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sockact.posix.Epoll;
import dev.sockact.posix.ErrnoException;
import dev.sockact.posix.ExitStatus;
import dev.sockact.posix.Fd;
import dev.sockact.posix.Io;
import dev.sockact.posix.Pidfd;
import dev.sockact.posix.SpawnRequest;
import dev.sockact.posix.Spawner;
import dev.sockact.posix.Sockets;
import dev.sockact.testing.Await;
import dev.sockact.testing.ThreadStates;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The loop with real descriptors, a real child and real threads. Each test runs
 * the loop on the test thread; a 30 s guard timer stops a loop that never would.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class EventLoopTest {
    private EventLoop loop;
    private final List<Throwable> failures = new CopyOnWriteArrayList<>();
    private boolean guardFired;

    @BeforeEach
    void create() throws ErrnoException {
        loop = EventLoop.create();
        loop.onHandlerFailure(failures::add);
        loop.schedule(30_000_000_000L, () -> {
            guardFired = true;
            loop.stop();
        });
    }

    @AfterEach
    void close() {
        loop.close();
    }

    private void runLoop() throws ErrnoException {
        loop.run();
        assertThat(guardFired).as("the loop was stopped by the 30 s guard, not by the test").isFalse();
    }

    private static void write(Fd fd, String text) throws ErrnoException {
        Io.writeFully(fd.fd(), text.getBytes(StandardCharsets.UTF_8), fd);
    }

    /** A round-end task runs once every handler of its round has, and before the tasks they posted. */
    @Test
    void aRoundEndTaskRunsAfterTheRoundsHandlersAndBeforePostedTasks() throws Exception {
        Fd[] first = Sockets.socketPair(Sockets.SOCK_STREAM);
        Fd[] second = Sockets.socketPair(Sockets.SOCK_STREAM);
        try (Fd a = first[0]; Fd b = first[1]; Fd c = second[0]; Fd d = second[1]) {
            List<String> order = new ArrayList<>();
            Watch[] watches = new Watch[2];
            watches[0] = loop.watch(b.fd(), Epoll.EPOLLIN, events -> {
                order.add("handler");
                watches[0].cancel();
                loop.execute(() -> {
                    order.add("posted");
                    loop.stop();
                });
                loop.atRoundEnd(() -> order.add("round end"));
            });
            watches[1] = loop.watch(d.fd(), Epoll.EPOLLIN, events -> {
                order.add("handler");
                watches[1].cancel();
            });
            write(a, "x");   // both readable before the loop waits: one round reports both
            write(c, "y");

            runLoop();

            assertThat(order).containsExactly("handler", "handler", "round end", "posted");
        }
    }

    /** Outside the handlers (a posted task, a timer) there is no round to wait for: the task runs soon. */
    @Test
    void aRoundEndTaskFromAPostedTaskRunsWithoutAnotherEvent() throws Exception {
        List<String> order = new ArrayList<>();
        loop.execute(() -> loop.atRoundEnd(() -> {
            order.add("round end");
            loop.stop();
        }));

        runLoop();

        assertThat(order).containsExactly("round end");
    }

    @Test
    void readinessOfARealSocketCallsTheHandler() throws Exception {
        Fd[] pair = Sockets.socketPair(Sockets.SOCK_STREAM);
        try (Fd a = pair[0]; Fd b = pair[1]) {
            List<Integer> seen = new ArrayList<>();
            Watch[] watch = new Watch[1];
            watch[0] = loop.watch(b.fd(), Epoll.EPOLLIN, events -> {
                seen.add(events);
                assertThat(Io.bytesReadable(b.fd())).isEqualTo(5);
                watch[0].cancel();
                loop.stop();
            });
            write(a, "hello");

            runLoop();

            assertThat(seen).hasSize(1);
            assertThat(seen.getFirst() & Epoll.EPOLLIN).isNotZero();
            assertThat(watch[0].isCancelled()).isTrue();
        }
    }

    @Test
    void interestCanChangeToWritable() throws Exception {
        Fd[] pair = Sockets.socketPair(Sockets.SOCK_STREAM);
        try (Fd a = pair[0]; Fd _ = pair[1]) {
            List<String> seen = new ArrayList<>();
            Watch[] watch = new Watch[1];
            watch[0] = loop.watch(a.fd(), Epoll.EPOLLIN, events -> {
                if ((events & Epoll.EPOLLOUT) != 0) {
                    seen.add("out");
                    watch[0].cancel();
                    loop.stop();
                }
            });
            // Nothing to read ever arrives; only the switch to EPOLLOUT can wake the handler.
            loop.execute(() -> {
                try {
                    watch[0].setInterest(Epoll.EPOLLOUT);
                } catch (ErrnoException e) {
                    throw new IllegalStateException(e);
                }
            });

            runLoop();

            assertThat(seen).containsExactly("out");
            assertThat(watch[0].interest()).isEqualTo(Epoll.EPOLLOUT);
        }
    }

    @Test
    void timersRunByDeadlineThenInSchedulingOrderAndCancelledOnesNever() throws ErrnoException {
        List<String> order = new ArrayList<>();
        loop.schedule(30_000_000L, () -> order.add("30ms"));
        loop.schedule(10_000_000L, () -> order.add("10ms"));
        loop.schedule(0, () -> order.add("now-1"));
        Timer cancelled = loop.schedule(5_000_000L, () -> order.add("cancelled"));
        loop.schedule(0, () -> order.add("now-2"));
        loop.schedule(20_000_000L, () -> order.add("20ms"));
        loop.schedule(40_000_000L, loop::stop);
        cancelled.cancel();

        runLoop();

        assertThat(order).containsExactly("now-1", "now-2", "10ms", "20ms", "30ms");
        assertThat(cancelled.isCancelled()).isTrue();
    }

    @Test
    void cancelledTimersAreNotKeptUntilTheirDeadline() throws ErrnoException {
        // A state timeout is armed and cancelled for every Accept=yes instance: 90 s of them must not pile up.
        List<String> kept = new ArrayList<>();
        List<Timer> live = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            String instance = "instance " + i;
            Timer t = loop.schedule(3_600_000_000_000L, () -> kept.add(instance));
            if (i % 1000 == 0) {
                live.add(t);
            } else {
                t.cancel();
            }
        }
        assertThat(loop.pendingTimers()).as("the guard, 10 live timers and at most 64 or half cancelled")
                .isLessThanOrEqualTo(2 * (1 + live.size()) + 64);
        live.forEach(Timer::cancel);
        loop.schedule(0, loop::stop);

        runLoop();

        assertThat(kept).isEmpty();
    }

    @Test
    void tasksPostedFromAnotherThreadRunOnTheLoopThread() throws Exception {
        AtomicReference<Thread> ranOn = new AtomicReference<>();
        List<Integer> order = new CopyOnWriteArrayList<>();
        Thread poster = Thread.ofPlatform().start(() -> {
            for (int i = 0; i < 100; i++) {
                int n = i;
                loop.execute(() -> order.add(n));
            }
            loop.execute(() -> {
                ranOn.set(Thread.currentThread());
                assertThat(loop.inLoopThread()).isTrue();
                loop.stop();
            });
        });

        runLoop();
        poster.join();

        assertThat(ranOn.get()).isSameAs(Thread.currentThread());
        assertThat(order).hasSize(100).isSorted();
        assertThat(failures).isEmpty();
    }

    /**
     * Posted on the loop thread, from a timer, a task and a handler, with nothing else due for 30 s: each runs
     * before the loop waits again (were it to wait, the 30 s guard would stop it).
     */
    @Test
    void tasksPostedOnTheLoopThreadRunBeforeItWaitsAgain() throws Exception {
        List<String> order = new CopyOnWriteArrayList<>();
        Fd[] pair = Sockets.socketPair(Sockets.SOCK_STREAM);
        try (Fd a = pair[0]; Fd b = pair[1]) {
            Watch[] watch = new Watch[1];
            loop.schedule(1_000_000L, () -> loop.execute(() -> {
                order.add("from a timer");
                loop.execute(() -> {
                    order.add("from a task");
                    try {
                        write(b, "x");
                    } catch (ErrnoException e) {
                        throw new IllegalStateException(e);
                    }
                });
            }));
            watch[0] = loop.watch(a.fd(), Epoll.EPOLLIN, events -> {
                watch[0].cancel();
                loop.execute(() -> {
                    order.add("from a handler");
                    loop.execute(loop::stop);
                });
            });

            runLoop();
        }

        assertThat(order).containsExactly("from a timer", "from a task", "from a handler");
        assertThat(failures).isEmpty();
    }

    /** Polling before it sleeps, the loop still serves a socket, a timer and tasks from another thread, in order. */
    @Test
    void aPollingLoopServesEventsTimersAndPostedTasks() throws Exception {
        loop.pollBeforeSleeping(1_000_000L);
        List<String> order = new CopyOnWriteArrayList<>();
        Fd[] pair = Sockets.socketPair(Sockets.SOCK_STREAM);
        try (Fd a = pair[0]; Fd b = pair[1]) {
            Watch[] watch = new Watch[1];
            watch[0] = loop.watch(b.fd(), Epoll.EPOLLIN, events -> {
                order.add("readable");
                watch[0].cancel();
                Thread.ofPlatform().start(() -> loop.execute(() -> {
                    order.add("posted from another thread");
                    loop.stop();
                }));
            });
            loop.schedule(2_000_000L, () -> {
                order.add("timer");
                try {
                    write(a, "x");
                } catch (ErrnoException e) {
                    throw new IllegalStateException(e);
                }
            });

            runLoop();
        }

        assertThat(order).containsExactly("timer", "readable", "posted from another thread");
        assertThat(failures).isEmpty();
    }

    /** With nothing to do, a polling loop ends up asleep in epoll_wait: it does not spin on an idle CPU. */
    @Test
    void aPollingLoopWithNothingToDoSleeps() throws Exception {
        loop.pollBeforeSleeping(1_000_000L);
        Thread thread = Thread.ofPlatform().name("idle-poll-test").start(() -> {
            try {
                loop.run();
            } catch (ErrnoException e) {
                failures.add(e);
            }
        });
        try {
            Await.until("the idle loop's thread to sleep", () -> ThreadStates.of(ProcessHandle.current().pid()).values()
                    .stream().anyMatch(t -> t.name().equals("idle-poll-test") && t.state() == 'S'));
        } finally {
            loop.stop();
            thread.join();
        }
        assertThat(failures).isEmpty();
    }

    @Test
    void stopFromAnotherThreadWakesABlockedLoop() throws Exception {
        Thread stopper = Thread.ofPlatform().start(loop::stop);
        runLoop();
        stopper.join();
    }

    @Test
    void aChildsExitIsReportedWithItsStatus() throws Exception {
        int pid = Spawner.spawn(SpawnRequest.of("/bin/sh", List.of("sh", "-c", "exit 7")).build());
        AtomicReference<ExitStatus> exit = new AtomicReference<>();
        loop.watchExit(Pidfd.open(pid), status -> {
            exit.set(status);
            loop.stop();
        });

        runLoop();

        assertThat(exit.get()).isEqualTo(ExitStatus.exited(pid, 7));
    }

    @Test
    void aThrowingHandlerTimerOrTaskDoesNotStopTheLoop() throws Exception {
        Fd[] pair = Sockets.socketPair(Sockets.SOCK_STREAM);
        try (Fd a = pair[0]; Fd b = pair[1]) {
            List<String> after = new ArrayList<>();
            Watch[] watch = new Watch[1];
            watch[0] = loop.watch(b.fd(), Epoll.EPOLLIN, events -> {
                watch[0].cancel();
                throw new IllegalStateException("handler");
            });
            loop.schedule(0, () -> {
                throw new IllegalStateException("timer");
            });
            loop.execute(() -> {
                throw new IllegalStateException("task");
            });
            write(a, "x");
            // Runs only after the handler's event (same batch or later): stop once all three have failed.
            loop.schedule(1_000_000L, new Runnable() {
                @Override
                public void run() {
                    if (failures.size() < 3) {
                        loop.schedule(1_000_000L, this);
                        return;
                    }
                    after.add("still running");
                    loop.stop();
                }
            });

            runLoop();

            assertThat(after).containsExactly("still running");
            assertThat(failures).extracting(Throwable::getMessage).containsExactlyInAnyOrder("handler", "timer", "task");
        }
    }

    @Test
    void aCancelledWatchIsNotCalledAgainAndItsSlotIsReused() throws Exception {
        Fd[] first = Sockets.socketPair(Sockets.SOCK_STREAM);
        Fd[] second = Sockets.socketPair(Sockets.SOCK_STREAM);
        try (Fd a = first[0]; Fd b = first[1]; Fd c = second[0]; Fd d = second[1]) {
            List<String> calls = new ArrayList<>();
            Watch stale = loop.watch(b.fd(), Epoll.EPOLLIN, events -> calls.add("stale"));
            write(a, "x");
            stale.cancel();
            stale.cancel();
            Watch[] fresh = new Watch[1];
            fresh[0] = loop.watch(d.fd(), Epoll.EPOLLIN, events -> {
                calls.add("fresh");
                fresh[0].cancel();
                loop.stop();
            });
            write(c, "y");

            runLoop();

            assertThat(calls).containsExactly("fresh");
        }
    }
}
