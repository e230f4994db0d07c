package dev.sockact.daemon;

import java.io.IOException;

/**
 * Runs one task on a platform thread of its own and waits for it. Namespaces belong to a kernel task, and each
 * platform thread is one: a thread that unshares or enters a namespace changes itself only, and ends with the
 * task, so neither the event loop nor any other thread of sockactd ever leaves the host's namespaces. The same
 * holds for the per-task settings a spawn takes on ({@link TaskSettings}: nice level, scheduling, affinity...).
 */
final class NamespaceThread {
    /** The work done inside the thread. */
    interface Task<T> {
        T run() throws IOException;
    }

    private NamespaceThread() {
        throw new AssertionError();
    }

    static <T> T run(String name, Task<T> task) throws IOException {
        Object[] result = new Object[1];
        Throwable[] failure = new Throwable[1];
        // A platform thread, never a virtual one: a virtual thread moves between carrier threads, and the
        // namespaces would stay behind with the carrier.
        Thread thread = Thread.ofPlatform().name(name).daemon().unstarted(() -> {
            try {
                result[0] = task.run();
            } catch (Throwable t) {
                failure[0] = t;
            }
        });
        thread.start();
        boolean interrupted = false;
        while (true) {
            try {
                thread.join();   // short: a few system calls and one posix_spawn
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (failure[0] instanceof IOException e) {
            throw e;
        }
        if (failure[0] instanceof RuntimeException e) {
            throw e;
        }
        if (failure[0] instanceof Error e) {
            throw e;
        }
        @SuppressWarnings("unchecked")
        T value = (T) result[0];
        return value;
    }
}
