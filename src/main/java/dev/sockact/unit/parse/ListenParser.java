package dev.sockact.unit.parse;

import dev.sockact.unit.ListenSpec;
import dev.sockact.unit.SocketKind;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.OptionalInt;

/**
 * The Listen*= parsers ({@code config_parse_socket_listen} with {@code socket_address_parse()}). Specifiers are
 * expanded first; the value is not unquoted. sockact also accepts {@code *:PORT} and port names from
 * /etc/services, which systemd rejects, and says so in a sockact-only warning.
 */
public final class ListenParser {

    /** sizeof(sockaddr_un.sun_path). */
    static final int UNIX_PATH_MAX = 108;

    private static final Map<String, Integer> NETLINK_FAMILIES = Map.ofEntries(
            Map.entry("route", 0), Map.entry("usersock", 2), Map.entry("firewall", 3),
            Map.entry("sock-diag", 4), Map.entry("inet-diag", 4), Map.entry("nflog", 5), Map.entry("xfrm", 6),
            Map.entry("selinux", 7), Map.entry("iscsi", 8), Map.entry("audit", 9), Map.entry("fib-lookup", 10),
            Map.entry("connector", 11), Map.entry("netfilter", 12), Map.entry("ip6-fw", 13),
            Map.entry("dnrtmsg", 14), Map.entry("kobject-uevent", 15), Map.entry("generic", 16),
            Map.entry("scsitransport", 18), Map.entry("ecryptfs", 19), Map.entry("rdma", 20),
            Map.entry("crypto", 21), Map.entry("smc", 22));

    private ListenParser() {
    }

    /** ListenStream=, ListenDatagram=, ListenSequentialPacket=. */
    public static ValueParser<ListenSpec> socket(SocketKind kind) {
        return (value, context) -> {
            String address = context.expandFull(value);
            ListenSpec spec;
            try {
                spec = parseAddress(address, kind, context);
            } catch (AddressException e) {
                throw InvalidValueException.ignoring(
                        "Failed to parse address value in '" + address + "', ignoring: " + e.errno.text());
            }
            if (kind == SocketKind.SEQPACKET
                    && !(spec instanceof ListenSpec.UnixPath || spec instanceof ListenSpec.UnixAbstract)) {
                throw InvalidValueException.ignoring("Address family not supported, ignoring: " + value);
            }
            return spec;
        };
    }

    /** ListenNetlink=FAMILY [GROUP]. */
    public static ValueParser<ListenSpec> netlink() {
        return (value, context) -> {
            String address = context.expandFull(value);
            String[] words = address.strip().split("[ \t]+", 2);
            Integer protocol = NETLINK_FAMILIES.get(words[0]);
            long group = 0;
            boolean valid = protocol != null && !address.endsWith(" ") && !address.endsWith("\t");
            if (valid && words.length == 2) {
                try {
                    group = CNumbers.parseUnsigned32(words[1]);
                } catch (NumberFormatException e) {
                    valid = false;
                }
            }
            if (!valid) {
                throw InvalidValueException.ignoring(
                        "Failed to parse address value in '" + address + "', ignoring: " + Errno.EINVAL.text());
            }
            return new ListenSpec.Netlink(words[0], protocol, group);
        };
    }

    /** ListenFIFO=, ListenSpecial=, ListenMessageQueue=, ListenUSBFunction=: absolute paths. */
    public static ValueParser<ListenSpec> path(String key) {
        return (value, context) -> {
            String path = AbsolutePaths.check(context.expandFull(value), key, value);
            return switch (key) {
                case "ListenFIFO" -> new ListenSpec.Fifo(Path.of(path));
                case "ListenSpecial" -> new ListenSpec.Special(Path.of(path));
                case "ListenMessageQueue" -> new ListenSpec.MessageQueue(path);
                case "ListenUSBFunction" -> new ListenSpec.UsbFunction(Path.of(path));
                default -> throw new IllegalArgumentException("not a path Listen key: " + key);
            };
        };
    }

    /** An address systemd refuses; {@link #errnoName()} is the errno its parser returns (EINVAL, ERANGE, ...). */
    public static final class AddressException extends Exception {
        private static final long serialVersionUID = 1L;
        final transient Errno errno;

        AddressException(Errno errno) {
            super(errno.text(), null, false, false);
            this.errno = errno;
        }

        public String errnoName() {
            return errno.name();
        }
    }

    /**
     * Exactly systemd's {@code socket_address_parse()}, without sockact's extensions: what
     * {@code systemd-socket-activate -l} accepts.
     */
    public static ListenSpec parseStrict(String s, SocketKind kind) throws AddressException {
        return parseAddress(s, kind, null);
    }

    /** {@code socket_address_parse()} plus sockact's {@code *:PORT} and port names. */
    static ListenSpec parseAddress(String s, SocketKind kind, ParseContext context) throws AddressException {
        if (s.startsWith("/")) {
            if (s.getBytes(StandardCharsets.UTF_8).length + 1 > UNIX_PATH_MAX) {
                throw new AddressException(Errno.ENAMETOOLONG);
            }
            if (s.length() < 2) {
                throw new AddressException(Errno.EINVAL);
            }
            return new ListenSpec.UnixPath(Path.of(s), kind);
        }
        if (s.startsWith("@")) {
            int length = s.getBytes(StandardCharsets.UTF_8).length;
            if (length < 2 || length > UNIX_PATH_MAX) {
                throw new AddressException(Errno.EINVAL);
            }
            return new ListenSpec.UnixAbstract(s.substring(1), kind);
        }
        if (s.startsWith("vsock:")) {
            return parseVsock(s.substring("vsock:".length()), kind);
        }
        OptionalInt barePort = parsePortIfNumber(s);
        if (barePort.isPresent()) {
            return new ListenSpec.Inet(anyAddress(), barePort.getAsInt(), null, kind);
        }
        if (s.startsWith("[")) {
            return parseBracketedIpv6(s, kind);
        }
        return parseIpv4OrExtension(s, kind, context);
    }

    /** A bare port: EINVAL when it is not a number (so other forms are tried), ERANGE or EINVAL for bad ports. */
    private static OptionalInt parsePortIfNumber(String s) throws AddressException {
        try {
            return OptionalInt.of(parsePort(s));
        } catch (AddressException e) {
            if (e.errno == Errno.ERANGE) {
                throw e;
            }
            return OptionalInt.empty();   // not a port: the other forms are tried, and fail with EINVAL too
        }
    }

    /** {@code parse_ip_port()}: base detection with 0x/0o/0b and a leading '+'; 0 is EINVAL, over 65535 ERANGE. */
    static int parsePort(String s) throws AddressException {
        long port;
        try {
            port = CNumbers.parseUnsignedWithPrefixes(s, 0xFFFF_FFFFL);
        } catch (NumberFormatException e) {
            throw new AddressException(Errno.of(e));
        }
        if (port == 0) {
            throw new AddressException(Errno.EINVAL);
        }
        if (port > 65535) {
            throw new AddressException(Errno.ERANGE);
        }
        return (int) port;
    }

    private static ListenSpec parseVsock(String rest, SocketKind kind) throws AddressException {
        int colon = rest.indexOf(':');
        if (colon < 0) {
            throw new AddressException(Errno.EINVAL);
        }
        String cidText = rest.substring(0, colon);
        try {
            Long cid = cidText.isEmpty() ? null : CNumbers.parseUnsigned32(cidText);
            long port = CNumbers.parseUnsigned32(rest.substring(colon + 1));
            return new ListenSpec.Vsock(cid, port, kind);
        } catch (NumberFormatException e) {
            throw new AddressException(Errno.EINVAL);
        }
    }

    private static ListenSpec parseBracketedIpv6(String s, SocketKind kind) throws AddressException {
        int close = s.indexOf(']');
        if (close < 0 || close + 1 >= s.length() || s.charAt(close + 1) != ':') {
            throw new AddressException(Errno.EINVAL);
        }
        InetAddress address = ipv6(s.substring(1, close));
        String portAndScope = s.substring(close + 2);
        int percent = portAndScope.indexOf('%');
        String portText = percent < 0 ? portAndScope : portAndScope.substring(0, percent);
        String scope = percent < 0 ? null : portAndScope.substring(percent + 1);
        int port = parsePort(portText);
        if (scope != null) {
            checkInterface(scope);
        }
        return new ListenSpec.Inet(address, port, scope, kind);
    }

    private static ListenSpec parseIpv4OrExtension(String s, SocketKind kind, ParseContext context)
            throws AddressException {
        int colon = s.lastIndexOf(':');
        if (colon < 0) {
            return parseServiceName(s, s, kind, null, context);
        }
        String host = s.substring(0, colon);
        String portAndScope = s.substring(colon + 1);
        int percent = portAndScope.indexOf('%');
        String portText = percent < 0 ? portAndScope : portAndScope.substring(0, percent);
        if (host.equals("*")) {
            return parseServiceName(s, portText, kind, "'*:PORT'", context);
        }
        InetAddress address = ipv4(host);
        int port = parsePort(portText);
        if (percent >= 0) {
            checkInterface(portAndScope.substring(percent + 1));   // parsed, then dropped for IPv4
        }
        return new ListenSpec.Inet(address, port, null, kind);
    }

    /**
     * sockact-only spellings: {@code *:PORT} (all interfaces) and service names. Anything else is EINVAL, as in
     * systemd.
     */
    private static ListenSpec parseServiceName(String whole, String port, SocketKind kind, String allInterfaces,
                                               ParseContext context) throws AddressException {
        if (context == null) {
            throw new AddressException(Errno.EINVAL);   // strict parsing: no sockact-only spellings
        }
        int number;
        String what;
        OptionalInt named = port.isEmpty() || Character.isDigit(port.charAt(0)) || port.charAt(0) == '+'
                ? OptionalInt.empty() : ServicePorts.lookup(port, kind == SocketKind.DATAGRAM);
        if (named.isPresent()) {
            number = named.getAsInt();
            what = allInterfaces == null ? "the service name '" + port + "'" : "'*:' with the service name '" + port + "'";
        } else if (allInterfaces != null) {
            number = parsePort(port);
            what = allInterfaces;
        } else {
            throw new AddressException(Errno.EINVAL);
        }
        context.warnSockactOnly("systemd will not accept " + context.key() + "=" + whole + " (" + what
                + " is a sockact extension); sockact listens on [::]:" + number
                + ". Write " + context.key() + "=" + number + " for a unit that also loads under systemd.");
        return new ListenSpec.Inet(anyAddress(), number, null, kind);
    }

    private static void checkInterface(String name) throws AddressException {
        if (name.isEmpty()) {
            throw new AddressException(Errno.EINVAL);
        }
        if (name.chars().allMatch(Character::isDigit)) {
            return;
        }
        if (!InterfaceNames.isValid(name) || !Files.exists(Path.of("/sys/class/net", name))) {
            throw new AddressException(Errno.ENODEV);
        }
    }

    /** {@code [::]}, or {@code 0.0.0.0} where the kernel has no IPv6 (socket_ipv6_is_supported()). */
    private static InetAddress anyAddress() {
        try {
            return Files.exists(Path.of("/proc/net/if_inet6"))
                    ? InetAddress.getByAddress(new byte[16]) : InetAddress.getByAddress(new byte[4]);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** inet_pton(AF_INET): exactly four decimal parts 0-255, no leading zeros. */
    static InetAddress ipv4(String text) throws AddressException {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            throw new AddressException(Errno.EINVAL);
        }
        byte[] bytes = new byte[4];
        for (int i = 0; i < 4; i++) {
            String part = parts[i];
            if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(c -> c >= '0' && c <= '9')
                    || (part.length() > 1 && part.charAt(0) == '0') || Integer.parseInt(part) > 255) {
                throw new AddressException(Errno.EINVAL);
            }
            bytes[i] = (byte) Integer.parseInt(part);
        }
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new AddressException(Errno.EINVAL);
        }
    }

    /** inet_pton(AF_INET6), without scope ids. */
    static InetAddress ipv6(String text) throws AddressException {
        if (text.isEmpty() || !text.contains(":") || !text.chars().allMatch(c -> Character.digit(c, 16) >= 0
                && c < 128 || c == ':' || c == '.')) {
            throw new AddressException(Errno.EINVAL);
        }
        try {
            return Inet6Address.ofLiteral(text);
        } catch (IllegalArgumentException e) {
            throw new AddressException(Errno.EINVAL);
        }
    }
}
