package dev.sockact.event;

/** A task scheduled on an {@link EventLoop}; cancel it to stop it from running. */
public final class Timer implements Comparable<Timer> {
    private final long deadline;
    private final long sequence;
    private final Runnable task;
    private boolean cancelled;

    Timer(long deadline, long sequence, Runnable task) {
        this.deadline = deadline;
        this.sequence = sequence;
        this.task = task;
    }

    long deadline() {
        return deadline;
    }

    Runnable task() {
        return task;
    }

    public void cancel() {
        cancelled = true;
    }

    public boolean isCancelled() {
        return cancelled;
    }

    @Override
    public int compareTo(Timer other) {
        int byDeadline = Long.compare(deadline - other.deadline, 0);
        return byDeadline != 0 ? byDeadline : Long.compare(sequence, other.sequence);
    }
}
