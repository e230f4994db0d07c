package dev.sockact.proxy;

/**
 * The counts of a {@link ProxyEngine} at one moment, summed over its loops. Each loop writes its own counters
 * and nobody else does, so reading them costs the forwarding nothing; a snapshot taken while connections are
 * moving data may be a few reads behind.
 *
 * @param open            connections open now (resolving, connecting or relaying)
 * @param accepted        connections accepted and given a slot since start
 * @param refused         connections accepted and closed at once because {@code connectionsMax} were open
 * @param connectFailures connections closed because the target could not be resolved or connected to
 * @param bytesToTarget   bytes written to targets (client to target)
 * @param bytesToClients  bytes written to clients (target to client)
 * @param sessionsOpened  datagram sessions opened since start (one per client address; each counts in {@code open}
 *                        while it lasts)
 * @param sessionsExpired datagram sessions ended by their idle time
 * @param datagramsDropped datagrams not forwarded (a new client at the limit, a full socket buffer, a reply to an
 *                        unbound AF_UNIX client)
 */
public record ProxyStats(int open, long accepted, long refused, long connectFailures, long bytesToTarget,
                         long bytesToClients, long sessionsOpened, long sessionsExpired, long datagramsDropped) {
}
