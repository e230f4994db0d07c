package dev.sockact.proxy;

import java.util.Map;

/**
 * The counts of a {@link ProxyEngine} at one moment, summed over its loops. Each loop writes its own counters
 * and nobody else does, so reading them costs the forwarding nothing; a snapshot taken while connections are
 * moving data may be a few reads behind.
 *
 * @param open            connections open now (resolving, connecting or relaying), datagram sessions included
 * @param accepted        connections accepted and given a slot since start
 * @param refused         connections accepted and closed at once because {@code connectionsMax} were open
 * @param connectFailures connections (and datagram sessions) closed because the target could not be resolved or
 *                        connected to
 * @param bytesToTarget   bytes written to targets (client to target), by splice and by copy
 * @param bytesToClients  bytes written to clients (target to client), by splice and by copy
 * @param sessionsOpened  datagram sessions opened since start (one per client address; each counts in {@code open}
 *                        while it lasts)
 * @param sessionsExpired datagram sessions ended by their idle time
 * @param datagramsDropped datagrams not forwarded (a new client at the limit, a full socket buffer, a reply to an
 *                        unbound AF_UNIX client)
 * @param resolveFailures the part of {@code connectFailures} whose target's name could not be resolved
 * @param connectFailuresByErrno the rest of {@code connectFailures}, by errno name ("ECONNREFUSED"); only the
 *                        names counted at least once
 * @param bytesToTargetSpliced the part of {@code bytesToTarget} written by splice(2) from a pipe
 * @param bytesToClientsSpliced the part of {@code bytesToClients} written by splice(2) from a pipe
 * @param sessionsClosed  datagram sessions ended, for any reason (open ones: opened - closed)
 * @param sessionsRefused datagrams of a new client not given a session because {@code connectionsMax} were open
 */
public record ProxyStats(int open, long accepted, long refused, long connectFailures, long bytesToTarget,
                         long bytesToClients, long sessionsOpened, long sessionsExpired, long datagramsDropped,
                         long resolveFailures, Map<String, Long> connectFailuresByErrno, long bytesToTargetSpliced,
                         long bytesToClientsSpliced, long sessionsClosed, long sessionsRefused) {
    public ProxyStats {
        connectFailuresByErrno = Map.copyOf(connectFailuresByErrno);
    }

    /** Datagram sessions open now. */
    public long sessionsOpen() {
        return Math.max(0, sessionsOpened - sessionsClosed);
    }
}
