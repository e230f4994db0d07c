package dev.sockact.event;

/** A task scheduled on an {@link EventLoop}; cancel it (on the loop thread) to stop it from running. */
public final class Timer implements Comparable<Timer> {
    private final EventLoop loop;
    private final long deadline;
    private final long sequence;
    /** Dropped on cancel: a cancelled timer waits in the queue until purged and must not keep its task alive. */
    private Runnable task;
    private boolean queued = true;

    Timer(EventLoop loop, long deadline, long sequence, Runnable task) {
        this.loop = loop;
        this.deadline = deadline;
        this.sequence = sequence;
        this.task = task;
    }

    long deadline() {
        return deadline;
    }

    /** Taken off the queue: returns the task to run, or null if it was cancelled. */
    Runnable dequeued() {
        queued = false;
        return task;
    }

    public void cancel() {
        if (task == null) {
            return;
        }
        task = null;
        if (queued) {
            loop.timerCancelled();
        }
    }

    public boolean isCancelled() {
        return task == null;
    }

    @Override
    public int compareTo(Timer other) {
        int byDeadline = Long.compare(deadline - other.deadline, 0);
        return byDeadline != 0 ? byDeadline : Long.compare(sequence, other.sequence);
    }
}
