package dev.sockact.proxy;

import dev.sockact.posix.SockAddr;
import dev.sockact.unit.parse.ServicePorts;
import java.nio.charset.StandardCharsets;

/**
 * Where the proxy connects: {@code host:port} (resolved for every connection),
 * {@code [IPv6]:port}, a bare host (port 80), {@code /unix/path}, {@code @abstract} or {@code vsock:CID:PORT}.
 */
public sealed interface Target {
    /** A host name or address literal and a port number or service name. */
    record HostPort(String host, String service) implements Target {
        /**
         * The port: a number from 1 to 65535, or a service name from /etc/services, as getaddrinfo would read
         * it. IllegalArgumentException naming the service otherwise (the command line checks it at start).
         */
        public int port() {
            if (!service.isEmpty() && service.chars().allMatch(Character::isDigit)) {
                int p = service.length() > 5 ? 0 : Integer.parseInt(service);
                if (p < 1 || p > 65535) {
                    throw new IllegalArgumentException("Port out of range: " + service);
                }
                return p;
            }
            return ServicePorts.lookup(service, false).orElseThrow(
                    () -> new IllegalArgumentException("Unknown port or service name: " + service));
        }

        @Override
        public String toString() {
            return host.contains(":") ? "[" + host + "]:" + service : host + ":" + service;
        }
    }

    /** A UNIX socket, by path or abstract name: already an address. */
    record Unix(SockAddr address) implements Target {
        @Override
        public String toString() {
            return address.toString();
        }
    }

    /** A vsock (virtual machine) socket: {@code vsock:CID:PORT}, as systemd's PR #42192 spells it. */
    record Vsock(SockAddr.Vsock address) implements Target {
        @Override
        public String toString() {
            return address.toString();
        }
    }

    /**
     * Parses systemd-socket-proxyd's target syntax, plus the bracketed IPv6 form it cannot
     * parse. A host is split from its port at the last colon, so {@code ::1:80} works too.
     */
    static Target parse(String text) {
        if (text.startsWith("/") || text.startsWith("@")) {
            String name = text.substring(1);
            int length = (text.startsWith("/") ? text : name).getBytes(StandardCharsets.UTF_8).length;
            if (length >= SockAddr.UNIX_PATH_MAX || text.length() < 2) {
                throw new IllegalArgumentException("Specified address doesn't fit in an AF_UNIX address, refusing.");
            }
            return new Unix(text.startsWith("/") ? new SockAddr.UnixPath(text) : new SockAddr.UnixAbstract(name));
        }
        if (text.startsWith("vsock:")) {
            return vsock(text);
        }
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("Missing ']' in target address: " + text);
            }
            String host = text.substring(1, close);
            String rest = text.substring(close + 1);
            if (rest.isEmpty()) {
                return new HostPort(host, "80");
            }
            if (!rest.startsWith(":") || rest.length() == 1) {
                throw new IllegalArgumentException("Expected ':PORT' after ']' in target address: " + text);
            }
            return new HostPort(host, rest.substring(1));
        }
        int colon = text.lastIndexOf(':');
        if (colon < 0) {
            return new HostPort(text, "80");
        }
        if (colon == 0 || colon == text.length() - 1) {
            throw new IllegalArgumentException("Invalid target address: " + text);
        }
        return new HostPort(text.substring(0, colon), text.substring(colon + 1));
    }

    /** {@code vsock:CID:PORT}, both unsigned 32-bit numbers (CID 2 is the host, 1 the local machine). */
    private static Target vsock(String text) {
        String[] parts = text.split(":", -1);
        if (parts.length != 3) {
            throw new IllegalArgumentException("Invalid vsock target, expected vsock:CID:PORT: " + text);
        }
        try {
            return new Vsock(new SockAddr.Vsock(Integer.parseUnsignedInt(parts[1]), Integer.parseUnsignedInt(parts[2])));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Invalid vsock target, CID and PORT must be numbers: " + text);
        }
    }
}
