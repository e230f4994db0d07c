package dev.sockact.daemon;

import dev.sockact.posix.Namespaces;
import dev.sockact.posix.Processes;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class HostedThreadsTest {
    private final HostedThreads threads = new HostedThreads();

    @Test
    void anEngineThatEndedLeavesItsThreadToTheNext() throws Exception {
        // No prestart() here: a run right after it can find the new thread not yet waiting and make a second one,
        // which could then take the next engine. The first run makes the one thread and runs on it.
        BlockingQueue<Thread> ran = new ArrayBlockingQueue<>(2);
        threads.run("a.service", false, () -> ran.add(Thread.currentThread()));
        Thread first = ran.poll(10, TimeUnit.SECONDS);
        awaitIdle(first);
        threads.run("b.service", false, () -> ran.add(Thread.currentThread()));
        assertThat(ran.poll(10, TimeUnit.SECONDS)).isSameAs(first);
    }

    @Test
    void twoEnginesAtOnceRunOnTwoThreadsNamedForTheirUnits() throws Exception {
        CountDownLatch bothRunning = new CountDownLatch(2);
        BlockingQueue<String> names = new ArrayBlockingQueue<>(2);
        Runnable engine = () -> {
            names.add(Thread.currentThread().getName());
            bothRunning.countDown();
            try {
                bothRunning.await();   // neither ends before the other has started: no thread can be shared
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        threads.run("a.service", false, engine);
        threads.run("b.service", false, engine);
        assertThat(bothRunning.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(names).containsExactlyInAnyOrder("sockactd-proxy-a.service", "sockactd-proxy-b.service");
    }

    @Test
    void aThreadThatEnteredAnotherNetworkNamespaceIsBackInTheHostsForTheNextEngine() throws Exception {
        assumeTrue(Processes.uid() == 0, "unshare(CLONE_NEWNET) needs root");
        Object host = Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net"));
        BlockingQueue<Object> seen = new ArrayBlockingQueue<>(2);
        BlockingQueue<Thread> ran = new ArrayBlockingQueue<>(2);
        // No prestart(), as above: the one thread the first run makes must be the one the next engine gets.
        threads.run("private.service", true, () -> {
            try {
                Namespaces.unshare(Namespaces.CLONE_NEWNET);
                seen.add(Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net")));
            } catch (Exception e) {
                seen.add(e);
            }
            ran.add(Thread.currentThread());
        });
        assertThat(seen.poll(10, TimeUnit.SECONDS)).isNotEqualTo(host).isInstanceOf(Path.class);
        Thread first = ran.poll(10, TimeUnit.SECONDS);
        awaitIdle(first);
        threads.run("host.service", false, () -> {
            try {
                seen.add(Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net")));
            } catch (Exception e) {
                seen.add(e);
            }
            ran.add(Thread.currentThread());
        });
        assertThat(seen.poll(10, TimeUnit.SECONDS)).isEqualTo(host);
        assertThat(ran.poll(10, TimeUnit.SECONDS)).isSameAs(first);
    }

    /** Until the thread has gone back to waiting for work (its name is the idle one again). */
    private static void awaitIdle(Thread thread) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!(thread.getName().startsWith("sockactd-proxy-idle") && (thread.getState() == Thread.State.WAITING
                || thread.getState() == Thread.State.TIMED_WAITING))) {
            assertThat(System.nanoTime()).as("thread back in the pool").isLessThan(deadline);
            Thread.sleep(1);
        }
    }
}
