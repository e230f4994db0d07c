package dev.sockact.unit;

import dev.sockact.text.Ipv6Text;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.file.Path;

/**
 * One Listen*= line of a socket unit: what to open. Each case prints itself the way {@code systemctl show} prints
 * the {@code Listen=} property ({@code [::]:8080 (Stream)}).
 */
public sealed interface ListenSpec {

    /** The address part, as {@code socket_address_print()} prints it. */
    String addressText();

    /** The type name ({@code Stream}, {@code FIFO}, ...), as {@code socket_port_type_to_string()} gives it. */
    String typeName();

    /** Whether Accept=yes can accept connections on it. */
    default boolean accepts() {
        return false;
    }

    /** The file-system node this spec creates, if any (for Symlinks= and RemoveOnStop=). */
    default Path fileSystemNode() {
        return null;
    }

    default String display() {
        return addressText() + " (" + typeName() + ")";
    }

    /** An IPv4 or IPv6 address with port; {@code scopeInterface} is the {@code %dev} suffix of an IPv6 address. */
    record Inet(InetAddress address, int port, String scopeInterface, SocketKind kind) implements ListenSpec {
        @Override
        public String addressText() {
            if (address instanceof Inet6Address) {
                String scope = scopeInterface == null ? "" : "%" + scopeInterface;
                return "[" + Ipv6Text.format(address.getAddress()) + "]:" + port + scope;
            }
            return address.getHostAddress() + ":" + port;
        }

        @Override
        public String typeName() {
            return kind.displayName();
        }

        @Override
        public boolean accepts() {
            return kind.accepts();
        }
    }

    /** An AF_UNIX socket bound to a path. */
    record UnixPath(Path path, SocketKind kind) implements ListenSpec {
        @Override
        public String addressText() {
            return path.toString();
        }

        @Override
        public String typeName() {
            return kind.displayName();
        }

        @Override
        public boolean accepts() {
            return kind.accepts();
        }

        @Override
        public Path fileSystemNode() {
            return path;
        }
    }

    /** An AF_UNIX socket in the abstract namespace; {@code name} is without the leading {@code @}. */
    record UnixAbstract(String name, SocketKind kind) implements ListenSpec {
        @Override
        public String addressText() {
            return "@" + name;
        }

        @Override
        public String typeName() {
            return kind.displayName();
        }

        @Override
        public boolean accepts() {
            return kind.accepts();
        }
    }

    /** AF_VSOCK; {@code cid} is {@code null} for VMADDR_CID_ANY. */
    record Vsock(Long cid, long port, SocketKind kind) implements ListenSpec {
        @Override
        public String addressText() {
            return "vsock:" + (cid == null ? "" : cid) + ":" + port;
        }

        @Override
        public String typeName() {
            return kind.displayName();
        }

        @Override
        public boolean accepts() {
            return kind.accepts();
        }
    }

    /** ListenNetlink=FAMILY [GROUP]. */
    record Netlink(String family, int protocol, long group) implements ListenSpec {
        @Override
        public String addressText() {
            return family + " " + group;
        }

        @Override
        public String typeName() {
            return "Netlink";
        }
    }

    /** ListenFIFO=. */
    record Fifo(Path path) implements ListenSpec {
        @Override
        public String addressText() {
            return path.toString();
        }

        @Override
        public String typeName() {
            return "FIFO";
        }

        @Override
        public Path fileSystemNode() {
            return path;
        }
    }

    /** ListenSpecial=: a character device or regular file to open. */
    record Special(Path path) implements ListenSpec {
        @Override
        public String addressText() {
            return path.toString();
        }

        @Override
        public String typeName() {
            return "Special";
        }
    }

    /** ListenMessageQueue=: a POSIX message queue name, starting with {@code /}. */
    record MessageQueue(String name) implements ListenSpec {
        @Override
        public String addressText() {
            return name;
        }

        @Override
        public String typeName() {
            return "MessageQueue";
        }
    }

    /** ListenUSBFunction=: a FunctionFS mount point. */
    record UsbFunction(Path path) implements ListenSpec {
        @Override
        public String addressText() {
            return path.toString();
        }

        @Override
        public String typeName() {
            return "USBFunction";
        }
    }
}
