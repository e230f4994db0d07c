package dev.sockact.proxy;

import dev.sockact.posix.SockAddr;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Turns a {@link Target} into the addresses to try, in the resolver's order.
 * Address literals never touch DNS (so they can be resolved on the event loop);
 * host names go through the system resolver and are resolved off the loop.
 * Service names ("http-alt") come from /etc/services, as getaddrinfo would.
 */
public final class TargetResolver {
    private static final Pattern IPV4_LITERAL = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    private final Target target;
    private final int port;
    /** For a literal target: its address, resolved and encoded once. */
    private final List<Candidate> literal;

    /** One address to try, with its sockaddr already in native memory for connect(2). */
    record Candidate(SockAddr address, MemorySegment encoded) {
        static Candidate of(SockAddr address) {
            return new Candidate(address, address.encode(Arena.global()));
        }
    }

    /**
     * Resolves a literal target (address parsing, the JDK's network set-up) at once: socket-proxyd does it before
     * it reads its listeners, while the native layer links on its warm-up thread (4-8 ms of a cold start).
     */
    public TargetResolver(Target target) {
        this.target = target;
        this.port = target instanceof Target.HostPort hp ? hp.port() : 0;
        List<Candidate> resolved = null;
        if (isLiteral()) {
            try {
                resolved = resolve().stream().map(Candidate::of).toList();
            } catch (UnknownHostException e) {
                resolved = null;   // not quite a literal after all: resolved per connection
            }
        }
        this.literal = resolved;
    }

    public Target target() {
        return target;
    }

    /** The literal target's candidates (computed once), or null when it must be resolved per connection. */
    List<Candidate> literalCandidates() {
        return literal;
    }

    /** Resolves (blocking: off the loop) and encodes every address of the target. */
    List<Candidate> candidates() throws UnknownHostException {
        return literal != null ? literal : resolve().stream().map(c -> new Candidate(c, c.encode(Arena.ofAuto()))).toList();
    }

    /** Whether {@link #resolve()} is instant (a literal or a UNIX socket) and may run on the loop. */
    boolean isLiteral() {
        return !(target instanceof Target.HostPort hp) || isAddressLiteral(hp.host());
    }

    /** Every address to try, first to last. */
    List<SockAddr> resolve() throws UnknownHostException {
        // instanceof rather than a pattern switch: this runs at start-up, where a switch's
        // bootstrap would generate a class at run time (the AOT cache cannot hold it).
        if (target instanceof Target.Unix unix) {
            return List.of(unix.address());
        }
        if (target instanceof Target.Vsock vsock) {
            return List.of(vsock.address());
        }
        Target.HostPort hp = (Target.HostPort) target;
        List<SockAddr> addresses = new ArrayList<>();
        for (InetAddress a : InetAddress.getAllByName(hp.host())) {
            addresses.add(a instanceof Inet6Address v6 ? new SockAddr.In6(v6, port, v6.getScopeId())
                    : new SockAddr.In4((Inet4Address) a, port));
        }
        return addresses;
    }

    private static boolean isAddressLiteral(String host) {
        return IPV4_LITERAL.matcher(host).matches() || (host.contains(":")
                && host.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.' || c == '%'));
    }

}
