package dev.sockact.daemon;

import dev.sockact.event.EventLoop;
import dev.sockact.event.Watch;
import dev.sockact.posix.Epoll;
import dev.sockact.posix.ErrnoException;
import dev.sockact.posix.SpawnRequest;
import dev.sockact.posix.SpawnServer;

import java.io.IOException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * Spawns children without the event loop waiting for them, for Accept=yes instances. A spawn returns only once the
 * child has exec'd, and under load a new child waits for a CPU behind everything else runnable: the loop was
 * blocked 0.7 ms per connection, which capped a whole socket at about 1200 instances a second however many cores
 * were free. Here the loop goes on accepting meanwhile. A request the {@link SpawnServer} takes is sent to it and
 * its reply read by the loop when it comes ({@link #submitToServer}): no thread waits, and no hand-off between
 * threads costs two wake-ups per child. Any other spawn runs on one of a few threads ({@link #submit}).
 *
 * <p>A child whose spawn is in flight has exited for all we know but is not watched yet (its pidfd is opened
 * right after the spawn returns), so whoever reaps or adopts unwatched children must first wait for the spawns in
 * flight to finish: {@link #whenNoneInFlight} and {@link #tryWhenNoneInFlight}.
 */
final class SpawnPool {
    /** Enough to keep every core busy with children being started; each thread mostly waits. */
    private static final int THREADS = Math.clamp(Runtime.getRuntime().availableProcessors(), 2, 4);

    private final ReadWriteLock inFlight = new ReentrantReadWriteLock();
    /** Its threads are started by the first spawns, so a daemon without Accept=yes sockets never has them. */
    private final ExecutorService threads = Executors.newFixedThreadPool(THREADS, Thread.ofPlatform().daemon()
            .name("sockactd-spawn-", 1).factory());

    private final EventLoop loop;
    /** The spawn server whose replies the loop watches, once a request has been sent to it; else null. */
    private SpawnServer watchedServer;
    private Watch replies;

    SpawnPool(EventLoop loop) {
        this.loop = loop;
    }

    /**
     * Sends {@code request} to the spawn server; the loop reads the reply and hands it to {@code reply}, which opens
     * the child's pidfd there (so that no reaper takes the child first). False when no server runs or it does not
     * take this request: {@link #submit} it instead. On the loop only.
     */
    boolean submitToServer(SpawnRequest request, SpawnServer.Reply reply) {
        SpawnServer server = SpawnServer.running();
        if (server == null || server != watchedServer && !watchReplies(server)) {
            return false;
        }
        return server.submit(request, reply);
    }

    private boolean watchReplies(SpawnServer server) {
        try {
            replies = loop.watch(server.replyFd(), Epoll.EPOLLIN, events -> {
                if (!server.readReplies()) {
                    // Gone: its pending requests were told; later spawns are done here (Spawner.spawn).
                    replies.cancel();
                    watchedServer = null;
                    server.close();
                }
            });
        } catch (ErrnoException e) {
            return false;   // epoll refused (out of memory): the threads spawn instead
        }
        watchedServer = server;
        return true;
    }

    /** Whether a request sent to the spawn server has no reply yet. */
    private boolean serverInFlight() {
        return watchedServer != null && watchedServer.inFlight() > 0;
    }

    /** The work done on a pool thread: the spawn, and whatever must follow it there (opening its pidfd). */
    interface Spawn<T> {
        T run() throws IOException;
    }

    /**
     * Runs {@code spawn} on a pool thread, then {@code done} there with its result or its failure. The queue needs
     * no bound of its own: every spawn queued is an instance holding one of its socket's MaxConnections= slots.
     */
    <T> void submit(Spawn<T> spawn, BiConsumer<T, IOException> done) {
        threads.execute(() -> {
            T result = null;
            IOException failure = null;
            inFlight.readLock().lock();
            try {
                result = spawn.run();
            } catch (IOException e) {
                failure = e;
            } catch (RuntimeException | Error e) {
                // Reported as a failed spawn all the same: a child left pending would hold its slot forever.
                failure = new IOException(e.toString(), e);
            } finally {
                inFlight.readLock().unlock();
            }
            done.accept(result, failure);
        });
    }

    /**
     * Runs {@code action} with no spawn in flight, waiting for those in flight (a few ms at most). On the loop, as
     * {@link #tryWhenNoneInFlight}: the replies of the spawn server are read here, as the loop would.
     */
    <T> T whenNoneInFlight(Supplier<T> action) {
        inFlight.writeLock().lock();
        try {
            if (watchedServer != null) {
                watchedServer.awaitReplies();
            }
            return action.get();
        } finally {
            inFlight.writeLock().unlock();
        }
    }

    /** Runs {@code action} if no spawn is in flight now; false if it did not run. */
    boolean tryWhenNoneInFlight(Runnable action) {
        if (serverInFlight() || !inFlight.writeLock().tryLock()) {
            return false;
        }
        try {
            action.run();
            return true;
        } finally {
            inFlight.writeLock().unlock();
        }
    }
}
