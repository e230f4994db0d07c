package dev.sockact.proxy;

import dev.sockact.posix.ErrnoException;
import dev.sockact.posix.Fd;

/**
 * A listening socket and where its clients go. Several listeners may share one {@link TargetResolver} (one
 * target for every socket, systemd's form) or each have their own.
 *
 * @param socket a listening stream socket or a datagram socket, in non-blocking mode; the engine does not close it
 * @param target where each accepted client is connected
 * @param group  for a datagram socket in an SO_REUSEPORT group that the host made: how to open one more member of
 *               it, so that each loop reads a socket of its own; null when the socket is read by one loop only
 */
public record ProxyListener(Fd socket, TargetResolver target, ReusePortGroup group) {
    public ProxyListener(Fd socket, TargetResolver target) {
        this(socket, target, null);
    }

    /**
     * Opens another datagram socket bound to the same address with SO_REUSEPORT, non-blocking and CLOEXEC. The
     * kernel picks the member a datagram goes to by a hash of its addresses, so one client always lands on the same
     * member: its session stays on one loop. Only the host that bound the socket knows every option it needs.
     */
    @FunctionalInterface
    public interface ReusePortGroup {
        Fd openMember() throws ErrnoException;
    }

    /** This listener, with its datagrams spread over the loops through {@code reusePortGroup}. */
    public ProxyListener spreadThrough(ReusePortGroup reusePortGroup) {
        return new ProxyListener(socket, target, reusePortGroup);
    }
}
