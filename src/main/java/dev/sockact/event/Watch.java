package dev.sockact.event;

import dev.sockact.posix.ErrnoException;

/** One fd registered with an {@link EventLoop}; change its interest or cancel it (before closing the fd). */
public final class Watch {
    private final EventLoop loop;
    private final int fd;
    private final int slot;
    private final long token;
    private final EventLoop.IoHandler handler;
    private int interest;
    private boolean cancelled;

    Watch(EventLoop loop, int fd, int slot, long token, EventLoop.IoHandler handler, int interest) {
        this.loop = loop;
        this.fd = fd;
        this.slot = slot;
        this.token = token;
        this.handler = handler;
        this.interest = interest;
    }

    public int fd() {
        return fd;
    }

    int slot() {
        return slot;
    }

    long token() {
        return token;
    }

    EventLoop.IoHandler handler() {
        return handler;
    }

    public int interest() {
        return interest;
    }

    /** Changes the event mask; a no-op when unchanged (saves an epoll_ctl per wake-up). */
    public void setInterest(int newInterest) throws ErrnoException {
        if (!cancelled && newInterest != interest) {
            loop.modify(this, newInterest);
            interest = newInterest;
        }
    }

    public boolean isCancelled() {
        return cancelled;
    }

    /**
     * Stops watching without telling the kernel, for a caller that closes the fd
     * next and never duplicated it: close(2) removes it from the epoll set, and
     * the epoll_ctl(DEL) would be a wasted system call per connection.
     */
    public void cancelBeforeClose() {
        if (!cancelled) {
            cancelled = true;
            loop.forget(this);
        }
    }

    /** Stops watching; idempotent. */
    public void cancel() {
        if (!cancelled) {
            cancelled = true;
            loop.release(this);
        }
    }
}
