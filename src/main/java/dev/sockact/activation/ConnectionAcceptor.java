package dev.sockact.activation;

import dev.sockact.posix.ErrnoException;
import dev.sockact.posix.Fd;
import dev.sockact.posix.SockAddr;
import dev.sockact.posix.Sockets;
import dev.sockact.text.Ipv6Text;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The accept side of Accept=yes, shared by sockactd and {@code socket-activate -a}: accepts one connection with
 * its local and peer addresses (and a UNIX peer's credentials), names the instance as systemd 252 does, and
 * keeps the slots of MaxConnections= and MaxConnectionsPerSource= (systemd's socket_enter_running(cfd)).
 * <p>
 * A slot is taken by {@link #admit} and given back by {@link #release}, exactly once per admitted connection,
 * whatever became of the program that served it. Limits of 0 mean no limit. Runs on one thread (the caller's
 * event loop); never logs: refusals are values the caller reports.
 */
public final class ConnectionAcceptor {
    private final long maxConnections;
    private final long maxConnectionsPerSource;
    private final Map<String, Integer> perSource = new HashMap<>();
    private int connected;
    /** Whether the current MaxConnections= burst has been reported (reset when a slot comes back). */
    private boolean fullReported;
    /** Per-source bursts reported, by source key (reset when that source gives a slot back). */
    private final Map<String, Boolean> sourceReported = new LinkedHashMap<>();

    /**
     * @param maxConnections          MaxConnections=, 0 for no limit
     * @param maxConnectionsPerSource MaxConnectionsPerSource=, 0 for no limit
     */
    public ConnectionAcceptor(long maxConnections, long maxConnectionsPerSource) {
        this.maxConnections = maxConnections;
        this.maxConnectionsPerSource = maxConnectionsPerSource;
    }

    /** An acceptor without limits (socket-activate -a, as systemd-socket-activate has none). */
    public static ConnectionAcceptor unlimited() {
        return new ConnectionAcceptor(0, 0);
    }

    /**
     * Accepts one connection from {@code listener}: a blocking socket (the program gets an ordinary one, as
     * systemd makes it blocking before exec), CLOEXEC. Returns null when none is waiting or the peer aborted.
     */
    public Connection accept(Fd listener) throws ErrnoException {
        Sockets.Accepted accepted = Sockets.acceptWithPeer(listener, 0);
        if (accepted == null) {
            return null;
        }
        Fd fd = accepted.fd();
        try {
            SockAddr local = Sockets.localAddress(fd.fd());
            Sockets.PeerCredentials credentials = null;
            if (accepted.peer().family() == SockAddr.AF_UNIX) {
                try {
                    credentials = Sockets.peerCredentials(fd.fd());
                } catch (ErrnoException e) {
                    credentials = null;   // ENODATA: a peer from another namespace; the instance is "N-unknown"
                }
            }
            return new Connection(fd, local, accepted.peer(), credentials);
        } catch (ErrnoException | RuntimeException e) {
            fd.close();
            throw e;
        }
    }

    /**
     * Takes a slot for {@code c}, or says why not: MaxConnections= reached, or MaxConnectionsPerSource= reached
     * for its source. The caller closes a refused connection.
     */
    public Refusal admit(Connection c) {
        if (maxConnections > 0 && connected >= maxConnections) {
            boolean report = !fullReported;
            fullReported = true;
            return new Refusal("Too many incoming connections (" + connected + "), dropping connection.", report);
        }
        String key = c.sourceKey();
        if (maxConnectionsPerSource > 0 && key != null) {
            int n = perSource.getOrDefault(key, 0) + 1;   // systemd's n_ref counts the new connection
            if (n > maxConnectionsPerSource) {
                boolean report = sourceReported.put(key, Boolean.TRUE) == null;
                return new Refusal("Too many incoming connections (" + n + ") from source " + c.sourceText()
                        + ", dropping connection.", report);
            }
        }
        if (key != null) {
            perSource.merge(key, 1, Integer::sum);
        }
        connected++;
        c.admitted = true;
        return null;
    }

    /** Gives back {@code c}'s slot (once; a connection never admitted holds none). */
    public void release(Connection c) {
        if (!c.admitted) {
            return;
        }
        c.admitted = false;
        connected--;
        fullReported = false;
        String key = c.sourceKey();
        if (key != null) {
            perSource.computeIfPresent(key, (k, n) -> n <= 1 ? null : n - 1);
            sourceReported.remove(key);
        }
    }

    /** Connections admitted and not yet released (systemd's n_connections). */
    public int connected() {
        return connected;
    }

    /** Connections from {@code sourceKey} holding a slot now (for tests and status). */
    int connectedFrom(String sourceKey) {
        return perSource.getOrDefault(sourceKey, 0);
    }

    /**
     * Why a connection was dropped, in systemd's words; {@code report} is true for the first refusal of a burst
     * (until a slot comes back), so that a flood logs one line, not one per connection.
     */
    public record Refusal(String message, boolean report) {
    }

    /** One accepted connection: owns its fd until {@link #close}. */
    public static final class Connection implements AutoCloseable {
        private final Fd fd;
        private final SockAddr local;
        private final SockAddr peer;
        private final Sockets.PeerCredentials credentials;
        private boolean admitted;

        Connection(Fd fd, SockAddr local, SockAddr peer, Sockets.PeerCredentials credentials) {
            this.fd = fd;
            this.local = local;
            this.peer = peer;
            this.credentials = credentials;
        }

        public Fd fd() {
            return fd;
        }

        public SockAddr local() {
            return local;
        }

        public SockAddr peer() {
            return peer;
        }

        /**
         * The instance name systemd 252 gives the connection's service ({@code instance_from_socket()}):
         * {@code N-LOCAL:LPORT-REMOTE:RPORT} for IP (IPv6 without brackets, a v4-mapped pair as IPv4),
         * {@code N-PID-UID} for a UNIX peer ({@code N-unknown} without credentials), {@code N-LCID:LPORT-RCID:RPORT}
         * for vsock, {@code N-unknown} otherwise.
         */
        public String instance(long n) {
            if (local instanceof SockAddr.In4 l && peer instanceof SockAddr.In4 p) {
                return n + "-" + l.address().getHostAddress() + ":" + l.port() + "-" + p.address().getHostAddress()
                        + ":" + p.port();
            }
            if (local instanceof SockAddr.In6 l && peer instanceof SockAddr.In6 p) {
                byte[] la = l.address().getAddress();
                byte[] pa = p.address().getAddress();
                boolean mapped = isV4Mapped(la) && isV4Mapped(pa);
                return n + "-" + (mapped ? mappedText(la) : Ipv6Text.format(la)) + ":" + l.port() + "-"
                        + (mapped ? mappedText(pa) : Ipv6Text.format(pa)) + ":" + p.port();
            }
            if (local instanceof SockAddr.Vsock l && peer instanceof SockAddr.Vsock p) {
                return n + "-" + Integer.toUnsignedString(l.cid()) + ":" + Integer.toUnsignedString(l.port()) + "-"
                        + Integer.toUnsignedString(p.cid()) + ":" + Integer.toUnsignedString(p.port());
            }
            if (peer.family() == SockAddr.AF_UNIX && credentials != null && credentials.pid() > 0) {
                return n + "-" + credentials.pid() + "-" + Integer.toUnsignedString(credentials.uid());
            }
            return n + "-unknown";
        }

        /**
         * REMOTE_ADDR and REMOTE_PORT for IP and vsock peers (service_spawn(): the address as
         * sockaddr_pretty() prints it without the port, a v4-mapped address as IPv4); for an AF_UNIX peer bound to
         * a name, REMOTE_ADDR alone, its path or {@code @name} (systemd 257; 252 set nothing); empty otherwise.
         */
        public Map<String, String> remoteEnvironment() {
            Map<String, String> env = new LinkedHashMap<>();
            switch (peer) {
                case SockAddr.In4 p -> {
                    env.put("REMOTE_ADDR", p.address().getHostAddress());
                    env.put("REMOTE_PORT", Integer.toString(p.port()));
                }
                case SockAddr.In6 p -> {
                    byte[] a = p.address().getAddress();
                    env.put("REMOTE_ADDR", isV4Mapped(a) ? mappedText(a) : Ipv6Text.format(a));
                    env.put("REMOTE_PORT", Integer.toString(p.port()));
                }
                case SockAddr.Vsock p -> {
                    env.put("REMOTE_ADDR", "vsock:" + Integer.toUnsignedString(p.cid()));
                    env.put("REMOTE_PORT", Integer.toUnsignedString(p.port()));
                }
                case SockAddr.UnixPath p -> env.put("REMOTE_ADDR", p.path());
                case SockAddr.UnixAbstract p -> env.put("REMOTE_ADDR", "@" + p.name());
                default -> { }
            }
            return env;
        }

        /**
         * What MaxConnectionsPerSource= counts by: the peer's IP address (not the port; a v4-mapped address
         * counts as IPv6, as in systemd), the vsock CID, or a UNIX peer's UID (newer systemd; 252 does not limit
         * UNIX peers). Null when there is nothing to key on.
         */
        String sourceKey() {
            return switch (peer) {
                case SockAddr.In4 p -> "4:" + p.address().getHostAddress();
                case SockAddr.In6 p -> "6:" + Ipv6Text.format(p.address().getAddress());
                case SockAddr.Vsock p -> "v:" + Integer.toUnsignedString(p.cid());
                default -> peer.family() == SockAddr.AF_UNIX && credentials != null
                        ? "u:" + Integer.toUnsignedString(credentials.uid()) : null;
            };
        }

        /** The source as the refusal message names it ({@code 127.0.0.2}, {@code ::1}, {@code UID 1000}). */
        String sourceText() {
            return switch (peer) {
                case SockAddr.In4 p -> p.address().getHostAddress();
                case SockAddr.In6 p -> {
                    byte[] a = p.address().getAddress();
                    yield isV4Mapped(a) ? mappedText(a) : Ipv6Text.format(a);
                }
                case SockAddr.Vsock p -> "vsock:" + Integer.toUnsignedString(p.cid());
                default -> credentials != null ? "UID " + Integer.toUnsignedString(credentials.uid()) : peer.toString();
            };
        }

        /** Closes our end (the program keeps its own copy). */
        @Override
        public void close() {
            fd.close();
        }

        private static boolean isV4Mapped(byte[] a) {
            for (int i = 0; i < 10; i++) {
                if (a[i] != 0) {
                    return false;
                }
            }
            return (a[10] & 0xff) == 0xff && (a[11] & 0xff) == 0xff;
        }

        private static String mappedText(byte[] a) {
            return (a[12] & 0xff) + "." + (a[13] & 0xff) + "." + (a[14] & 0xff) + "." + (a[15] & 0xff);
        }
    }
}
