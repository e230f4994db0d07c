package dev.sockact.activation;

import dev.sockact.posix.Errno;
import dev.sockact.posix.SockAddr;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * Parses the address syntax of ListenStream=/ListenDatagram=/ListenSequentialPacket=
 * and {@code socket-activate -l}, as systemd's socket_address_parse() does:
 * a bare port ({@code [::]:port}), {@code a.b.c.d:port}, {@code [v6]:port} with an
 * optional {@code %scope} after the port, {@code /path}, {@code @abstract},
 * {@code vsock:CID:PORT}. Host names and service names are refused, as by systemd.
 */
public final class ListenAddress {
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final int VMADDR_CID_ANY = -1;

    private ListenAddress() {
        throw new AssertionError();
    }

    public static SockAddr parse(String text) throws InvalidAddressException {
        if (text.startsWith("/")) {
            if (text.getBytes(StandardCharsets.UTF_8).length >= SockAddr.UNIX_PATH_MAX) {
                throw new InvalidAddressException(text, Errno.ENAMETOOLONG, "path too long for AF_UNIX");
            }
            return new SockAddr.UnixPath(text);
        }
        if (text.startsWith("@")) {
            if (text.length() < 2 || text.getBytes(StandardCharsets.UTF_8).length > SockAddr.UNIX_PATH_MAX - 1) {
                throw new InvalidAddressException(text, Errno.EINVAL, "abstract name must be 1 to 107 bytes");
            }
            return new SockAddr.UnixAbstract(text.substring(1));
        }
        if (text.startsWith("vsock:")) {
            return parseVsock(text);
        }
        if (text.startsWith("[")) {
            return parseBracketedIpv6(text);
        }
        int colon = text.lastIndexOf(':');
        if (colon < 0) {
            // A port alone listens on every address, IPv6 and IPv4 (BindIPv6Only=default).
            return new SockAddr.In6(anyIpv6(), port(text, text), 0);
        }
        String host = text.substring(0, colon);
        if (!IPV4.matcher(host).matches()) {
            throw new InvalidAddressException(text, Errno.EINVAL, "not an IPv4 address: " + host);
        }
        int port = port(text.substring(colon + 1), text);
        return new SockAddr.In4(ipv4(host, text), port);
    }

    private static SockAddr parseBracketedIpv6(String text) throws InvalidAddressException {
        int close = text.indexOf(']');
        if (close < 0 || close + 1 >= text.length() || text.charAt(close + 1) != ':') {
            throw new InvalidAddressException(text, Errno.EINVAL, "expected [IPv6]:PORT");
        }
        String rest = text.substring(close + 2);
        String scope = null;
        int percent = rest.indexOf('%');
        if (percent >= 0) {
            scope = rest.substring(percent + 1);
            rest = rest.substring(0, percent);
        }
        int port = port(rest, text);
        Inet6Address address = ipv6(text.substring(1, close), text);
        return new SockAddr.In6(address, port, scope == null ? 0 : scopeId(scope, text));
    }

    private static SockAddr parseVsock(String text) throws InvalidAddressException {
        String[] parts = text.substring("vsock:".length()).split(":", -1);
        if (parts.length != 2) {
            throw new InvalidAddressException(text, Errno.EINVAL, "expected vsock:CID:PORT");
        }
        int cid = parts[0].isEmpty() ? VMADDR_CID_ANY : (int) unsigned(parts[0], text, 0xffffffffL);
        int port = (int) unsigned(parts[1], text, 0xffffffffL);
        return new SockAddr.Vsock(cid, port);
    }

    private static int scopeId(String scope, String text) throws InvalidAddressException {
        if (!scope.isEmpty() && scope.chars().allMatch(Character::isDigit)) {
            return (int) unsigned(scope, text, Integer.MAX_VALUE);
        }
        try {
            java.net.NetworkInterface nic = java.net.NetworkInterface.getByName(scope);
            if (nic != null) {
                return nic.getIndex();
            }
        } catch (java.net.SocketException ignored) {
            // fall through: unknown interface
        }
        throw new InvalidAddressException(text, Errno.ENODEV, "no such network interface: " + scope);
    }

    /** A port as systemd's parse_ip_port reads it: strtoul base 0 plus 0b/0o and '+'; 0 is refused. */
    static int port(String value, String text) throws InvalidAddressException {
        long port = unsigned(value, text, Long.MAX_VALUE);
        if (port == 0) {
            throw new InvalidAddressException(text, Errno.EINVAL, "port 0 is not allowed");
        }
        if (port > 65535) {
            throw new InvalidAddressException(text, Errno.ERANGE, "port out of range: " + value);
        }
        return (int) port;
    }

    private static long unsigned(String value, String text, long max) throws InvalidAddressException {
        String digits = value.startsWith("+") ? value.substring(1) : value;
        int radix = 10;
        String lower = digits.toLowerCase(java.util.Locale.ROOT);
        if (lower.startsWith("0x")) {
            radix = 16;
            digits = digits.substring(2);
        } else if (lower.startsWith("0o")) {
            radix = 8;
            digits = digits.substring(2);
        } else if (lower.startsWith("0b")) {
            radix = 2;
            digits = digits.substring(2);
        } else if (digits.length() > 1 && digits.startsWith("0")) {
            radix = 8;
            digits = digits.substring(1);
        }
        if (digits.isEmpty() || !digits.chars().allMatch(ch -> Character.digit(ch, 16) >= 0)) {
            throw new InvalidAddressException(text, Errno.EINVAL, "not a number: " + value);
        }
        try {
            long n = Long.parseLong(digits, radix);
            if (n > max) {
                throw new InvalidAddressException(text, Errno.ERANGE, "out of range: " + value);
            }
            return n;
        } catch (NumberFormatException e) {
            boolean tooLong = digits.chars().allMatch(ch -> Character.digit(ch, 16) >= 0 && Character.digit(ch, 16) < 10);
            throw new InvalidAddressException(text, tooLong ? Errno.ERANGE : Errno.EINVAL, "not a number: " + value);
        }
    }

    private static Inet4Address ipv4(String host, String text) throws InvalidAddressException {
        for (String octet : host.split("\\.")) {
            if (Integer.parseInt(octet) > 255) {
                throw new InvalidAddressException(text, Errno.EINVAL, "not an IPv4 address: " + host);
            }
        }
        try {
            return (Inet4Address) InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new InvalidAddressException(text, Errno.EINVAL, "not an IPv4 address: " + host);
        }
    }

    /** Parses an IPv6 literal without ever consulting DNS. */
    static Inet6Address ipv6(String literal, String text) throws InvalidAddressException {
        if (literal.isEmpty() || !literal.contains(":") || !literal.chars().allMatch(ch -> Character.digit(ch, 16) >= 0 || ch == ':' || ch == '.')) {
            throw new InvalidAddressException(text, Errno.EINVAL, "not an IPv6 address: " + literal);
        }
        try {
            InetAddress a = InetAddress.getByName(literal);
            // Java folds ::ffff:a.b.c.d into an IPv4 address; keep it an IPv6 one, as the kernel would.
            return a instanceof Inet6Address v6 ? v6 : Inet6Address.getByAddress(null, mapped(a.getAddress()), -1);
        } catch (UnknownHostException e) {
            throw new InvalidAddressException(text, Errno.EINVAL, "not an IPv6 address: " + literal);
        }
    }

    private static byte[] mapped(byte[] v4) {
        byte[] v6 = new byte[16];
        v6[10] = (byte) 0xff;
        v6[11] = (byte) 0xff;
        System.arraycopy(v4, 0, v6, 12, 4);
        return v6;
    }

    static Inet6Address anyIpv6() {
        try {
            return Inet6Address.getByAddress(null, new byte[16], -1);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
