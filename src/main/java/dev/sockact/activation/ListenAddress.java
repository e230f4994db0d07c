package dev.sockact.activation;

import dev.sockact.posix.Errno;
import dev.sockact.posix.SockAddr;
import dev.sockact.unit.ListenSpec;
import dev.sockact.unit.SocketKind;
import dev.sockact.unit.parse.ListenParser;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.NetworkInterface;
import java.net.SocketException;

/**
 * The address syntax of ListenStream= and {@code socket-activate -l}, exactly
 * as systemd's socket_address_parse() reads it (the unit parser's strict
 * mode, without sockact's extensions), turned into a socket address.
 */
public final class ListenAddress {
    /** VMADDR_CID_ANY. */
    private static final int VSOCK_ANY = -1;

    private ListenAddress() {
        throw new AssertionError();
    }

    public static SockAddr parse(String text) throws InvalidAddressException {
        try {
            return of(ListenParser.parseStrict(text, SocketKind.STREAM));
        } catch (ListenParser.AddressException e) {
            throw new InvalidAddressException(text, Errno.valueOf(e.errnoName()), e.getMessage());
        }
    }

    /** The socket address of a parsed socket listen setting (not FIFOs, special files or queues). */
    public static SockAddr of(ListenSpec spec) throws InvalidAddressException {
        return switch (spec) {
            case ListenSpec.Inet inet when inet.address() instanceof Inet6Address v6 ->
                    new SockAddr.In6(v6, inet.port(), scopeId(inet.scopeInterface(), spec));
            case ListenSpec.Inet inet -> new SockAddr.In4((Inet4Address) inet.address(), inet.port());
            case ListenSpec.UnixPath unix -> new SockAddr.UnixPath(unix.path().toString());
            case ListenSpec.UnixAbstract unix -> new SockAddr.UnixAbstract(unix.name());
            case ListenSpec.Vsock vsock -> new SockAddr.Vsock(vsock.cid() == null ? VSOCK_ANY : vsock.cid().intValue(),
                    (int) vsock.port());
            case ListenSpec.Netlink netlink -> new SockAddr.Netlink(0, (int) netlink.group());
            case ListenSpec.Fifo f -> throw notASocket(spec);
            case ListenSpec.Special f -> throw notASocket(spec);
            case ListenSpec.MessageQueue f -> throw notASocket(spec);
            case ListenSpec.UsbFunction f -> throw notASocket(spec);
        };
    }

    private static int scopeId(String scope, ListenSpec spec) throws InvalidAddressException {
        if (scope == null) {
            return 0;
        }
        if (scope.chars().allMatch(Character::isDigit)) {
            return Integer.parseInt(scope);
        }
        try {
            NetworkInterface nic = NetworkInterface.getByName(scope);
            if (nic != null) {
                return nic.getIndex();
            }
        } catch (SocketException ignored) {
            // reported below as an unknown interface
        }
        throw new InvalidAddressException(spec.toString(), Errno.ENODEV, "no such network interface: " + scope);
    }

    private static InvalidAddressException notASocket(ListenSpec spec) {
        return new InvalidAddressException(spec.toString(), Errno.EINVAL, "not a socket address");
    }
}
